"""Unknown fields anywhere in a Job manifest are errors, as with the API server's strict field
validation (``kubectl apply --validate=strict``, the default), while every real field of the
Kubernetes API still loads, even one jobsim does not model.

Upstream refuses the object at decoding (``strict decoding error: unknown field
"spec.template.spec.containers[0].comand"``), before validation, so a typo'd ``name`` is
reported as unknown, not also as a missing ``metadata.name``. jobsim words it as it words the
Job spec's unknown fields: ``LINE:COL: path: unknown field 'x' (did you mean 'y'?)``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from jobsim.api import ScenarioError, load_input
from jobsim.k8s.job import (
    Affinity,
    Container,
    Job,
    LabelSelector,
    NodeAffinity,
    NodeSelector,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    ObjectMeta,
    PodAffinity,
    PodAffinityTerm,
    PodSpec,
    PreferredSchedulingTerm,
    ResourceRequirements,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
    unmodelled_fields,
)
from jobsim.locate import read_yaml
from jobsim.scenario import decode_job
from tests.helpers import checkout_env, write_file

# line 10: the pod restartPolicy; 13: the container image; 18: the init container image; 21: the
# toleration operator
BASE = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    metadata:
      labels: {app: pi}
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: perl
        resources:
          requests: {cpu: "1"}
      initContainers:
      - name: init
        image: busybox
      tolerations:
      - key: dedicated
        operator: Exists
"""


def problems(text: str) -> Job | list[str]:
    data, marks = read_yaml(text)
    return decode_job(data, marks=marks)


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_base_loads() -> None:
    assert isinstance(problems(BASE), Job)


CT = "spec.template.spec.containers[0]"
INIT = "spec.template.spec.initContainers[0]"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "  name: pi",
            "  nmae: pi",
            ["4:3: metadata.nmae: unknown field 'nmae' (did you mean 'name'?)"],
            id="job-metadata",
        ),
        pytest.param(
            "      labels: {app: pi}",
            "      labls: {app: pi}",
            ["8:7: spec.template.metadata.labls: unknown field 'labls' (did you mean 'labels'?)"],
            id="template-metadata",
        ),
        pytest.param(
            "  name: pi",
            "  name: pi\n  ownerReference: []",
            [
                "5:3: metadata.ownerReference: unknown field 'ownerReference' "
                "(did you mean 'ownerReferences'?)"
            ],
            id="metadata-near-an-unmodelled-field",
        ),
        pytest.param(
            "      restartPolicy: Never",
            "      restartPolcy: Never",
            [
                "10:7: spec.template.spec.restartPolcy: unknown field 'restartPolcy' "
                "(did you mean 'restartPolicy'?)"
            ],
            id="pod-spec",
        ),
        pytest.param(
            "      restartPolicy: Never",
            "      restartPolicy: Never\n      volume: []",
            ["11:7: spec.template.spec.volume: unknown field 'volume' (did you mean 'volumes'?)"],
            id="pod-spec-near-an-unmodelled-field",
        ),
        pytest.param(
            # PodSpec has 42 fields: no list of them, as upstream names none
            "      restartPolicy: Never",
            "      restartPolicy: Never\n      colour: red",
            ["11:7: spec.template.spec.colour: unknown field 'colour'"],
            id="pod-spec-far-from-any-field",
        ),
        pytest.param(
            "        image: perl",
            "        image: perl\n        comand: [perl]",
            [f"14:9: {CT}.comand: unknown field 'comand' (did you mean 'command'?)"],
            id="container",
        ),
        pytest.param(
            "        image: perl",
            "        imag: perl",
            [f"13:9: {CT}.imag: unknown field 'imag' (did you mean 'image'?)"],
            id="container-required-field",
        ),
        pytest.param(
            "        image: perl",
            "        image: perl\n        volumeMount: []",
            [f"14:9: {CT}.volumeMount: unknown field 'volumeMount' (did you mean 'volumeMounts'?)"],
            id="container-near-an-unmodelled-field",
        ),
        pytest.param(
            "        image: busybox",
            "        imge: busybox",
            [f"18:9: {INIT}.imge: unknown field 'imge' (did you mean 'image'?)"],
            id="init-container",
        ),
        pytest.param(
            "        image: busybox",
            "        image: busybox\n        restartPolcy: Always",
            [
                f"19:9: {INIT}.restartPolcy: unknown field 'restartPolcy' "
                "(did you mean 'restartPolicy'?)"
            ],
            id="init-container-restart-policy",
        ),
        pytest.param(
            '          requests: {cpu: "1"}',
            '          requets: {cpu: "1"}',
            [f"15:11: {CT}.resources.requets: unknown field 'requets' (did you mean 'requests'?)"],
            id="resources",
        ),
        pytest.param(
            '          requests: {cpu: "1"}',
            '          requests: {cpu: "1"}\n          limit: {cpu: "1"}',
            [f"16:11: {CT}.resources.limit: unknown field 'limit' (did you mean 'limits'?)"],
            id="resources-limits",
        ),
        pytest.param(
            "        operator: Exists",
            "        operater: Exists",
            [
                "21:9: spec.template.spec.tolerations[0].operater: unknown field 'operater' "
                "(did you mean 'operator'?)"
            ],
            id="toleration",
        ),
        pytest.param(
            # Toleration is modelled whole: its five fields are listed
            "        operator: Exists",
            "        operator: Exists\n        colour: red",
            [
                "22:9: spec.template.spec.tolerations[0].colour: unknown field 'colour'; "
                "expected one of: key, operator, value, effect, tolerationSeconds"
            ],
            id="toleration-far-from-any-field",
        ),
    ],
)
def test_unknown_field(old: str, new: str, expected: list[str]) -> None:
    assert problems(edit(old, new)) == expected


def test_every_typo_is_reported_in_file_order() -> None:
    text = (
        BASE.replace("  name: pi", "  nmae: pi")
        .replace("        image: perl", "        imag: perl")
        .replace("      restartPolicy: Never", "      restartPolcy: Never")
    )
    with pytest.raises(ScenarioError) as err:
        load_input("job.yaml", text=text)
    assert err.value.lines == [
        "job.yaml:4:3: metadata.nmae: unknown field 'nmae' (did you mean 'name'?)",
        "job.yaml:10:7: spec.template.spec.restartPolcy: unknown field 'restartPolcy' "
        "(did you mean 'restartPolicy'?)",
        f"job.yaml:13:9: {CT}.imag: unknown field 'imag' (did you mean 'image'?)",
    ]


# The ``json`` tags of each type, k8s.io/api core/v1 types.go and apimachinery meta/v1 types.go
# (v1.36; the same fields as kubernetes-client/python's generated V1* models).
def names(text: str) -> set[str]:
    return set(text.split())


UPSTREAM: dict[type[BaseModel], set[str]] = {
    ObjectMeta: names(
        """name generateName namespace selfLink uid resourceVersion generation creationTimestamp
        deletionTimestamp deletionGracePeriodSeconds labels annotations ownerReferences
        finalizers managedFields"""
    ),
    PodSpec: names(
        """volumes initContainers containers ephemeralContainers restartPolicy
        terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy nodeSelector
        serviceAccountName serviceAccount automountServiceAccountToken nodeName hostNetwork
        hostPID hostIPC shareProcessNamespace securityContext imagePullSecrets hostname subdomain
        affinity schedulerName tolerations hostAliases priorityClassName priority dnsConfig
        readinessGates runtimeClassName enableServiceLinks preemptionPolicy overhead
        topologySpreadConstraints setHostnameAsFQDN os hostUsers schedulingGates resourceClaims
        resources hostnameOverride schedulingGroup"""
    ),
    Container: names(
        """name image command args workingDir ports envFrom env resources resizePolicy
        restartPolicy restartPolicyRules volumeMounts volumeDevices livenessProbe readinessProbe
        startupProbe lifecycle terminationMessagePath terminationMessagePolicy imagePullPolicy
        securityContext stdin stdinOnce tty"""
    ),
    ResourceRequirements: {"limits", "requests", "claims"},
    Toleration: {"key", "operator", "value", "effect", "tolerationSeconds"},
    Affinity: {"nodeAffinity", "podAffinity", "podAntiAffinity"},
    NodeAffinity: {
        "requiredDuringSchedulingIgnoredDuringExecution",
        "preferredDuringSchedulingIgnoredDuringExecution",
    },
    NodeSelector: {"nodeSelectorTerms"},
    NodeSelectorTerm: {"matchExpressions", "matchFields"},
    NodeSelectorRequirement: {"key", "operator", "values"},
    PreferredSchedulingTerm: {"weight", "preference"},
    PodAffinity: {
        "requiredDuringSchedulingIgnoredDuringExecution",
        "preferredDuringSchedulingIgnoredDuringExecution",
    },
    WeightedPodAffinityTerm: {"weight", "podAffinityTerm"},
    PodAffinityTerm: {
        "labelSelector",
        "namespaces",
        "topologyKey",
        "namespaceSelector",
        "matchLabelKeys",
        "mismatchLabelKeys",
    },
    TopologySpreadConstraint: {
        "maxSkew",
        "topologyKey",
        "whenUnsatisfiable",
        "labelSelector",
        "minDomains",
        "nodeAffinityPolicy",
        "nodeTaintsPolicy",
        "matchLabelKeys",
    },
    LabelSelector: {"matchLabels", "matchExpressions"},
}


@pytest.mark.parametrize("model", list(UPSTREAM), ids=lambda m: m.__name__)
def test_accepted_keys_are_the_upstream_fields(model: type[BaseModel]) -> None:
    modelled = set(model.model_fields)
    assert modelled | unmodelled_fields(model) == UPSTREAM[model]
    assert not modelled & unmodelled_fields(model)


# A student's manifest: real fields of the API that jobsim does not simulate, at every level.
REAL_FIELDS = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  namespace: teaching
  labels: {app: pi}
  annotations: {owner: class-a}
  finalizers: [example.com/keep]
spec:
  backoffLimit: 2
  template:
    metadata:
      labels: {app: pi}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      restartPolicy: Never
      serviceAccountName: runner
      nodeSelector: {disktype: ssd}
      securityContext: {runAsNonRoot: true, fsGroup: 2000}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: zone, operator: In, values: [a]}]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}
      imagePullSecrets: [{name: registry}]
      dnsPolicy: ClusterFirst
      volumes:
      - name: data
        emptyDir: {}
      tolerations:
      - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
      initContainers:
      - name: fetch
        image: busybox
        command: [sh, -c, "echo fetch"]
        volumeMounts: [{name: data, mountPath: /data}]
      containers:
      - name: pi
        image: perl:5.34.0
        command: [perl, -Mbignum=bpi, -wle, "print bpi(2000)"]
        args: []
        workingDir: /data
        env:
        - {name: DIGITS, value: "2000"}
        - name: POD
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        envFrom: [{configMapRef: {name: settings}}]
        ports: [{containerPort: 8080, name: http}]
        volumeMounts: [{name: data, mountPath: /data}]
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
        livenessProbe: {exec: {command: ["true"]}, periodSeconds: 10}
        readinessProbe: {httpGet: {path: /, port: 8080}}
        lifecycle: {preStop: {exec: {command: ["true"]}}}
        terminationMessagePolicy: FallbackToLogsOnError
        resources:
          requests: {cpu: 500m, memory: 128Mi}
          limits: {cpu: "1", memory: 256Mi}
"""


def test_real_unmodelled_fields_load_and_are_dropped() -> None:
    job = problems(REAL_FIELDS)
    assert isinstance(job, Job), job
    pod = job.spec.template.spec
    main = pod.containers[0]
    assert main.command == ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
    assert main.args == []
    assert pod.nodeSelector == {"disktype": "ssd"}
    assert pod.affinity is not None and pod.affinity.nodeAffinity is not None
    assert job.metadata.annotations == {"owner": "class-a"}
    assert "env" not in main.model_dump() and "volumes" not in pod.model_dump()


@pytest.mark.slow
def test_cli_validate_refuses_a_typo_in_a_container(tmp_path: Path) -> None:
    path = write_file(
        tmp_path, edit("        image: perl", "        image: perl\n        comand: []")
    )
    res = subprocess.run(
        [sys.executable, "-m", "jobsim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=checkout_env(),
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert f"14:9: {CT}.comand: unknown field 'comand' (did you mean 'command'?)" in res.stderr
