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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "numpy/random/bitgen.h"
#include "numpy/random/distributions.h"

static PyObject *
handle(PyObject *module, PyObject *rng)
{
    PyObject *bits = PyObject_GetAttrString(rng, "bit_generator");
    if (bits == NULL) {
        return NULL;
    }
    PyObject *capsule = PyObject_GetAttrString(bits, "capsule");
    Py_DECREF(bits);
    if (capsule != NULL && !PyCapsule_IsValid(capsule, "BitGenerator")) {
        Py_DECREF(capsule);
        PyErr_SetString(PyExc_TypeError, "not a numpy BitGenerator's capsule");
        return NULL;
    }
    return capsule;
}

static PyObject *
normal_and_uniforms(PyObject *module, PyObject *capsule)
{
    bitgen_t *bitgen = (bitgen_t *)PyCapsule_GetPointer(capsule, "BitGenerator");
    if (bitgen == NULL) {
        return NULL; /* not a BitGenerator's capsule: PyCapsule_GetPointer set the error */
    }
    double z = random_standard_normal(bitgen);
    double u_fail = bitgen->next_double(bitgen->state);
    double u_code = bitgen->next_double(bitgen->state);
    return Py_BuildValue("(ddd)", z, u_fail, u_code);
}

static PyMethodDef methods[] = {
    {"handle", handle, METH_O,
     "handle(rng, /)\n--\n\n"
     "What normal_and_uniforms reads the stream by: the Generator's BitGenerator's C "
     "interface (its capsule). The caller keeps rng alive while it draws."},
    {"normal_and_uniforms", normal_and_uniforms, METH_O,
     "normal_and_uniforms(stream, /)\n--\n\n"
     "standard_normal(), then random() twice, from the stream handle gave."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "jobsim.sim._draws",
    "A run's three draws from its Job's stream in one call (numpy's own functions).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__draws(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    PyObject *all = Py_BuildValue("[ss]", "handle", "normal_and_uniforms");
    if (all == NULL || PyModule_AddObject(m, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
