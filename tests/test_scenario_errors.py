"""Every mistake in a scenario file is reported as ``FILE:LINE:COL: path: message``.

One case per mistake: each edits a valid scenario (``BASE``) and asserts the exact lines.
Lines and columns are 1-based; a problem in a ``manifestFile`` also names its place in that file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobsim.locate import read_yaml
from jobsim.scenario import ScenarioError, decode_job, load_scenario
from tests.helpers import DURATION_EXPECTED, PI_JOB_ENTRY, scenario_error, write_file

BASE = """\
name: t
cluster:
  nodePools:
    - name: pool
      count: 2
      capacity: {cpu: "4", memory: 16Gi}
jobs:
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: pi}
      spec:
        backoffLimit: 2
        template:
          spec:
            containers:
              - name: main
                image: perl
            restartPolicy: Never
    workload:
      duration: 10s
      failure: {probability: 0.5}
events:
  - {at: 5s, nodeDown: pool-0}
"""
INLINE = BASE[BASE.index("  - manifest:") : BASE.index("    workload:")]
SECOND_JOB = PI_JOB_ENTRY + "    workload: {duration: 5s}\nevents:"  # replaces line 23, events:
FILES = {
    "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
    "job.yaml": """\
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  backofLimit: 2
  template:
    spec:
      containers: [{name: main, image: perl}]
      restartPolicy: Never
""",
    "broken.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata: {name: [pi}\n",
    "twice.yaml": "kind: Job\nkind: Job\napiVersion: batch/v1\nmetadata: {name: pi}\n"
    "spec: {template: {spec: {containers: [{name: c, image: i}], restartPolicy: Never}}}\n",
}
QUANTITY_EXPECTED = (
    "expected a Kubernetes quantity: a signed decimal number with an optional suffix, "
    'e.g. "500m", "1.5", "12Ki", "1.5Gi", "100M" or "1e3" '
    "(suffixes n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e/E followed by an exponent)"
)

# (case, edits of BASE as (old, new), the exact lines; "DIR/" is the scenario's folder)
CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "malformed YAML",
        [("      count: 2", "      count: 2: 3")],
        ["s.yaml:5:15: malformed YAML: mapping values are not allowed here"],
    ),
    (
        "malformed YAML: unclosed flow mapping",
        [('{cpu: "4", memory: 16Gi}', '{cpu: "4", memory: 16Gi')],
        [
            "s.yaml:7:5: malformed YAML: expected ',' or '}', but got ':' "
            "(while parsing a flow mapping at 6:17)"
        ],
    ),
    (
        "wrong type: a word for an integer",
        [("count: 2", "count: three")],
        ["s.yaml:5:14: cluster.nodePools[0].count: expected an integer, got 'three'"],
    ),
    (
        "wrong type: a list for a mapping",
        [("failure: {probability: 0.5}", "failure: [0.5]")],
        ["s.yaml:22:16: jobs[0].workload.failure: expected a mapping, got a list"],
    ),
    (
        "unknown key, a near miss",
        [("duration: 10s", "duraton: 10s")],
        [
            "s.yaml:21:7: jobs[0].workload.duration: required field is missing",
            "s.yaml:21:7: jobs[0].workload.duraton: unknown field 'duraton' "
            "(did you mean 'duration'?)",
        ],
    ),
    (
        "unknown key in a Job manifest's spec, a near miss",
        [("backoffLimit: 2", "backofLimit: 2")],
        [
            "s.yaml:13:9: jobs[0].manifest: spec.backofLimit: unknown field 'backofLimit' "
            "(did you mean 'backoffLimit'?)"
        ],
    ),
    (
        "unknown key, not close to any",
        [("name: t\n", "name: t\ncolour: red\n")],
        [
            "s.yaml:2:1: colour: unknown field 'colour'; expected one of: name, seed, horizon, "
            "timing, cluster, jobs, events, podDisruptionBudgets, kubernetesVersion, featureGates, "
            "wallClock, controlPlane"
        ],
    ),
    (
        "unknown key of an event, a near miss",
        [("nodeDown: pool-0", "nodeDwn: pool-0")],
        ["s.yaml:24:14: events[0].nodeDwn: unknown field 'nodeDwn' (did you mean 'nodeDown'?)"],
    ),
    (
        "negative duration",
        [("duration: 10s", "duration: -10s")],
        ["s.yaml:21:17: jobs[0].workload.duration: must not be negative, got '-10s'"],
    ),
    (
        "unparsable duration",
        [("duration: 10s", "duration: 10 minutes")],
        [
            "s.yaml:21:17: jobs[0].workload.duration: invalid duration '10 minutes': "
            f"unknown unit ' minutes'; {DURATION_EXPECTED}"
        ],
    ),
    (
        "negative quantity",
        [('cpu: "4"', 'cpu: "-4"')],
        ["s.yaml:6:23: cluster.nodePools[0].capacity.cpu: must not be negative, got '-4'"],
    ),
    (
        "unparsable quantity",
        [("memory: 16Gi", "memory: 16GB")],
        [
            "s.yaml:6:36: cluster.nodePools[0].capacity.memory: invalid quantity '16GB': "
            f"unexpected text 'GB' after the number; {QUANTITY_EXPECTED}"
        ],
    ),
    (
        "unparsable extended resource quantity",
        [("memory: 16Gi}", "memory: 16Gi, nvidia.com/gpu: two}")],
        [
            "s.yaml:6:58: cluster.nodePools[0].capacity.nvidia.com/gpu: invalid quantity 'two': "
            f"unexpected text 'two' after the number; {QUANTITY_EXPECTED}"
        ],
    ),
    (
        "unparsable quantity in a container's requests",
        [("image: perl", "image: perl\n                resources: {requests: {cpu: lots}}")],
        [
            "s.yaml:19:45: jobs[0].manifest: spec.template.spec.containers[0].resources"
            '.requests[cpu]: Invalid value: "lots": quantities must match the regular '
            "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        ],
    ),
    (
        "probability above 1",
        [("probability: 0.5", "probability: 1.5")],
        [
            "s.yaml:22:30: jobs[0].workload.failure.probability: expected a probability "
            "between 0 and 1, got 1.5"
        ],
    ),
    (
        "probability below 0",
        [("probability: 0.5", "probability: -0.1")],
        [
            "s.yaml:22:30: jobs[0].workload.failure.probability: expected a probability "
            "between 0 and 1, got -0.1"
        ],
    ),
    (
        "probability as a percentage",
        [("probability: 0.5", "probability: 50%")],
        [
            "s.yaml:22:30: jobs[0].workload.failure.probability: expected a probability "
            "between 0 and 1, got '50%'"
        ],
    ),
    (
        "distribution: max below min",
        [("duration: 10s", "duration: {uniform: {min: 20s, max: 10s}}")],
        [
            "s.yaml:21:17: jobs[0].workload.duration: uniform: max (10s) must not be less "
            "than min (20s)"
        ],
    ),
    (
        "distribution: a misspelt parameter",
        [("duration: 10s", "duration: {exponential: {men: 5s}}")],
        [
            "s.yaml:21:31: jobs[0].workload.duration.mean: required field is missing",
            "s.yaml:21:32: jobs[0].workload.duration.men: unknown field 'men' "
            "(did you mean 'mean'?)",
        ],
    ),
    (
        "distribution: negative sigma",
        [("duration: 10s", "duration: {lognormal: {median: 5s, sigma: -1}}")],
        ["s.yaml:21:17: jobs[0].workload.duration: lognormal: sigma must be a finite number >= 0"],
    ),
    (
        "distribution: unknown kind",
        [("duration: 10s", "duration: {erlang: {k: 2}}")],
        [
            "s.yaml:21:17: jobs[0].workload.duration: unknown distribution 'erlang'; expected "
            "one of: constant, uniform, exponential, lognormal, shiftedExponential, gamma, "
            "weibull, empirical"
        ],
    ),
    (
        "event naming a node that does not exist",
        [("nodeDown: pool-0", "nodeDown: pool-7")],
        [
            "s.yaml:24:24: events[0].nodeDown: no node named 'pool-7'; pool pool has nodes "
            "pool-0…pool-1 (count 2)"
        ],
    ),
    (
        "event naming a pool instead of a node",
        [("nodeDown: pool-0", "nodeDown: pool")],
        [
            "s.yaml:24:24: events[0].nodeDown: no node named 'pool' (that is a pool; its nodes "
            "are named pool-0, pool-1, …)"
        ],
    ),
    (
        "event naming a node of a pool that does not exist",
        [("nodeDown: pool-0", "nodeDown: gpu-0")],
        ["s.yaml:24:24: events[0].nodeDown: no node named 'gpu-0'; the nodes are pool-0…pool-1"],
    ),
    (
        "event naming a job that does not exist",
        [("nodeDown: pool-0", "suspend: p1")],
        ["s.yaml:24:23: events[0].suspend: job 'p1' does not exist; the jobs are: pi"],
    ),
    (
        "event naming a job that does not exist, a near miss",
        [("{at: 5s, nodeDown: pool-0}", "{at: 5s, scale: {job: default/pl, parallelism: 2}}")],
        [
            "s.yaml:24:27: events[0].scale.job: job 'default/pl' does not exist "
            "(did you mean 'default/pi'?)"
        ],
    ),
    (
        "event time before 0",
        [("at: 5s", "at: -5s")],
        ["s.yaml:24:10: events[0].at: must not be negative, got '-5s'"],
    ),
    (
        "manifestFile that does not exist",
        [(INLINE, "  - manifestFile: missing.yaml\n")],
        ["s.yaml:8:19: jobs[0].manifestFile: file not found: DIR/missing.yaml"],
    ),
    (
        "manifestFile that is not a Job",
        [(INLINE, "  - manifestFile: pod.yaml\n")],
        [
            's.yaml:8:19: jobs[0].manifestFile: pod.yaml:1:13: apiVersion: Unsupported value: "v1"'
            ': supported values: "batch/v1"',
            's.yaml:8:19: jobs[0].manifestFile: pod.yaml:2:7: kind: Unsupported value: "Pod": '
            'supported values: "Job"',
        ],
    ),
    (
        "manifestFile with a mistake: placed in that file",
        [(INLINE, "  - manifestFile: job.yaml\n")],
        [
            "s.yaml:8:19: jobs[0].manifestFile: job.yaml:5:3: spec.backofLimit: unknown field "
            "'backofLimit' (did you mean 'backoffLimit'?)"
        ],
    ),
    (
        "manifestFile that is malformed YAML",
        [(INLINE, "  - manifestFile: broken.yaml\n")],
        [
            "s.yaml:8:19: jobs[0].manifestFile: broken.yaml:3:21: malformed YAML: expected ',' "
            "or ']', but got '}' (while parsing a flow sequence at 3:18)"
        ],
    ),
    (
        "two jobs with the same namespace/name",
        [("events:", SECOND_JOB)],
        [
            "s.yaml:26:24: jobs[1].manifest.metadata.name: Duplicate value: job default/pi is "
            "also jobs[0]"
        ],
    ),
    (
        "the same key twice",
        [("      count: 2\n", "      count: 2\n      count: 3\n")],
        [
            "s.yaml:6:7: cluster.nodePools[0].count: duplicate key (first at line 5, column 7); "
            "YAML would keep only the last value"
        ],
    ),
    (
        "the same key twice in a manifestFile",
        [(INLINE, "  - manifestFile: twice.yaml\n")],
        [
            "s.yaml:8:19: jobs[0].manifestFile: twice.yaml:2:1: kind: duplicate key (first at "
            "line 1, column 1); YAML would keep only the last value"
        ],
    ),
    (
        "a scale the API server would reject",
        [("{at: 5s, nodeDown: pool-0}", "{at: 5s, scale: {job: pi, completions: 3}}")],
        [
            "s.yaml:24:21: events[0].scale: spec.completions: Invalid value: 3: field is "
            "immutable (at 5s)"
        ],
    ),
    (
        "a Job manifest instead of a scenario",
        [(BASE, FILES["job.yaml"])],
        [
            "s.yaml:1:1: (top level): this is a Job manifest, not a scenario: a scenario has a "
            "cluster and lists each Job under jobs[].manifest (or jobs[].manifestFile) with its "
            "workload"
        ],
    ),
    (
        "a list instead of a mapping",
        [(BASE, "- cluster\n- jobs\n")],
        [
            "s.yaml:1:1: (top level): expected a Job manifest (kind: Job) or a scenario (a "
            "mapping with cluster and jobs), got a list"
        ],
    ),
    (
        "an empty file",
        [(BASE, "# nothing yet\n")],
        [
            "s.yaml: (top level): expected a Job manifest (kind: Job) or a scenario (a "
            "mapping with cluster and jobs), got an empty document"
        ],
    ),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def write(folder: Path, edits: list[tuple[str, str]]) -> Path:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return write_file(folder, text)


def lines_of(folder: Path, path: Path) -> list[str]:
    error = scenario_error(path)
    assert str(error) == "\n".join(error.lines)
    return [
        line.replace(str(folder), "DIR").replace("DIR/s.yaml", "s.yaml") for line in error.lines
    ]


def test_base_scenario_is_valid(folder: Path) -> None:
    scenario = load_scenario(write(folder, []))
    assert scenario.warnings == []


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_located_problem(folder: Path, edits: list[tuple[str, str]], expected: list[str]) -> None:
    assert lines_of(folder, write(folder, edits)) == expected


def test_problems_keep_the_file_out_and_the_place_in(folder: Path) -> None:
    """``problems`` are ``LINE:COL: path: message``; ``lines`` add the file."""
    error = scenario_error(write(folder, [("count: 2", "count: three")]))
    assert error.problems == ["5:14: cluster.nodePools[0].count: expected an integer, got 'three'"]


def test_not_utf8(folder: Path) -> None:
    path = folder / "s.yaml"
    path.write_bytes(BASE.replace("name: t", "name: caf\xe9").encode("latin-1"))
    assert lines_of(folder, path) == ["s.yaml:1:10: not UTF-8 text: byte 0xe9 cannot be decoded"]


def test_unreadable(folder: Path) -> None:
    assert lines_of(folder, folder) == [
        "DIR: cannot read file: it is a directory, not a regular file"
    ]


def test_dict_has_no_location() -> None:
    """A scenario given as a dict keeps ``<scenario>: path: message``."""
    data = read_yaml(BASE.replace("count: 2", "count: three"))[0]
    assert scenario_error(data).lines == [
        "<scenario>: cluster.nodePools[0].count: expected an integer, got 'three'"
    ]


def test_pod_larger_than_every_node_is_a_warning(folder: Path) -> None:
    """Kubernetes would leave the pods Pending: the scenario loads, with a located warning."""
    path = write(
        folder,
        [
            (
                "image: perl",
                "image: perl\n                resources: {requests: {cpu: 8, memory: 1Gi}}",
            )
        ],
    )
    scenario = load_scenario(path)
    assert scenario.warnings == [
        f"{path}:19:45: jobs[0].manifest: spec.template.spec.containers[0].resources"
        ".requests[cpu]: each pod requests cpu 8, which fits no node (the most a node has: "
        "cpu 4); Kubernetes would leave the pods Pending"
    ]
    # not part of equality or serialization
    same = load_scenario(read_yaml(path.read_text(encoding="utf-8"))[0])
    assert same.warnings != scenario.warnings
    assert same == scenario
    assert "warnings" not in scenario.model_dump()
    assert "warnings" not in scenario.model_dump_json()


def test_bare_manifest_with_marks() -> None:
    data, marks = read_yaml(FILES["job.yaml"])
    assert decode_job(data, marks=marks) == [
        "5:3: spec.backofLimit: unknown field 'backofLimit' (did you mean 'backoffLimit'?)"
    ]
    assert decode_job(data) == [
        "spec.backofLimit: unknown field 'backofLimit' (did you mean 'backoffLimit'?)"
    ]


def test_a_pool_of_one_node_is_named_once() -> None:
    data = {
        "cluster": {
            "nodePools": [{"name": "a", "count": 1, "capacity": {"cpu": "1", "memory": "1Gi"}}]
        },
        "events": [{"at": 1, "nodeDown": "gpu-0"}],
    }
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    assert str(info.value).endswith("events[0].nodeDown: no node named 'gpu-0'; the nodes are a-0")
