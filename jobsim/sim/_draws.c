/* jobsim.sim._draws, compiled: a run's three draws from its Job's stream in one call.
 *
 * JobRuntime.outcome draws, for a lognormal duration, Generator.standard_normal() and then
 * Generator.random() twice: numpy's random_standard_normal and the bit generator's next_double,
 * behind three Python method calls a pod. Here they are numpy's own functions (its static
 * library npyrandom and the BitGenerator's C interface, as numpy's guide to extending
 * numpy.random links them), called in one: the same numbers from the same stream in the same
 * order. setup.py builds this with the compiled core, beside _draws.py (the pure-Python
 * version, which Python imports only without it); tests/test_workload_draws.py holds the two
 * equal.
 *
 * Numpy's methods take the BitGenerator's lock around a draw; a Job's stream is read by its
 * own simulation alone, on one thread, holding the GIL throughout this call, so it takes none.
 * The code linked is the build's numpy's: importing this with another numpy is an error.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "numpy/random/bitgen.h"
#include "numpy/random/distributions.h"

#ifndef JOBSIM_NUMPY_VERSION
#error "setup.py defines JOBSIM_NUMPY_VERSION, the numpy this links npyrandom from"
#endif

static const char STREAM[] = "jobsim.sim._draws.stream";

static void
release_stream(PyObject *stream)
{
    Py_XDECREF((PyObject *)PyCapsule_GetContext(stream));
}

/* A capsule of the BitGenerator's bitgen_t that holds a reference to the BitGenerator (numpy's
 * own capsule does not: it lives inside the BitGenerator). */
static PyObject *
handle(PyObject *self, PyObject *rng)
{
    PyObject *bits = PyObject_GetAttrString(rng, "bit_generator");
    if (bits == NULL) {
        return NULL;
    }
    PyObject *capsule = PyObject_GetAttrString(bits, "capsule");
    if (capsule == NULL) {
        Py_DECREF(bits);
        return NULL;
    }
    void *bitgen = PyCapsule_GetPointer(capsule, "BitGenerator");
    Py_DECREF(capsule);
    if (bitgen == NULL) {
        Py_DECREF(bits);
        PyErr_SetString(PyExc_TypeError, "rng.bit_generator is not a numpy BitGenerator");
        return NULL;
    }
    PyObject *stream = PyCapsule_New(bitgen, STREAM, release_stream);
    if (stream == NULL) {
        Py_DECREF(bits);
        return NULL;
    }
    if (PyCapsule_SetContext(stream, bits) != 0) { /* cannot fail for a new capsule */
        Py_DECREF(bits);
        Py_DECREF(stream);
        return NULL;
    }
    return stream; /* owns the reference to bits: released with it */
}

static PyObject *
normal_and_uniforms(PyObject *self, PyObject *stream)
{
    bitgen_t *bitgen = (bitgen_t *)PyCapsule_GetPointer(stream, STREAM);
    if (bitgen == NULL) {
        return NULL; /* not what handle() returned: PyCapsule_GetPointer set the error */
    }
    double z = random_standard_normal(bitgen);
    double u_fail = bitgen->next_double(bitgen->state);
    double u_code = bitgen->next_double(bitgen->state);
    return Py_BuildValue("(ddd)", z, u_fail, u_code);
}

static PyMethodDef methods[] = {
    {"handle", handle, METH_O,
     "handle(rng, /)\n--\n\n"
     "What normal_and_uniforms reads the stream by: the C interface of the Generator's "
     "BitGenerator, holding a reference to it."},
    {"normal_and_uniforms", normal_and_uniforms, METH_O,
     "normal_and_uniforms(stream, /)\n--\n\n"
     "standard_normal(), then random() twice, from the stream handle gave."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef draws_module = {
    PyModuleDef_HEAD_INIT, "jobsim.sim._draws",
    "A run's three draws from its Job's stream in one call (numpy's own functions).", -1,
    methods,
};

/* The numpy this runs with must be the one whose npyrandom it links (numpy does not keep a
 * Generator's streams the same across versions): else an ImportError that says so. */
static int
same_numpy(void)
{
    PyObject *numpy = PyImport_ImportModule("numpy");
    if (numpy == NULL) {
        return -1;
    }
    PyObject *version = PyObject_GetAttrString(numpy, "__version__");
    Py_DECREF(numpy);
    if (version == NULL) {
        return -1;
    }
    const char *text = PyUnicode_AsUTF8(version);
    int same = text != NULL && strcmp(text, JOBSIM_NUMPY_VERSION) == 0;
    if (text != NULL && !same) {
        PyErr_Format(PyExc_ImportError,
                     "jobsim's compiled core was built with numpy %s and this is numpy %s: "
                     "build it again (setup.py, JOBSIM_MYPYC=1)",
                     JOBSIM_NUMPY_VERSION, text);
    }
    Py_DECREF(version);
    return same ? 0 : -1;
}

PyMODINIT_FUNC
PyInit__draws(void)
{
    if (same_numpy() < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&draws_module);
    if (m == NULL) {
        return NULL;
    }
    PyObject *all = Py_BuildValue("[ss]", "handle", "normal_and_uniforms");
    if (all == NULL || PyModule_AddObjectRef(m, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(m);
        return NULL;
    }
    Py_DECREF(all);
    return m;
}
