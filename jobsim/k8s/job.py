"""pydantic models of ``batch/v1`` Job and the pod-template fields jobsim reads.

Attribute names are the manifest's camelCase keys, so ``job.spec.backoffLimit`` and error paths
read like the manifest. Every optional field is ``X | None = None``: nil stays distinct from
empty, as defaulting depends on it. A key that is no field of the Kubernetes type is an error
anywhere in the Job, as with the API server's strict field validation (``kubectl apply``'s
default). ``ObjectMeta``, ``PodSpec``, ``Container`` and ``ResourceRequirements`` also accept, and
drop, the real fields jobsim does not model (``UNMODELLED``: the other ``json`` tags of k8s.io/api
core/v1 and apimachinery meta/v1 ``types.go``, v1.36); what those hold goes unchecked.
Enum-like fields stay plain strings so that validation can word errors as the API server does.
Integer fields have their Go type's range (``Int32``, ``Int64``), as the JSON decoder checks it;
``GO_TYPES`` names the Go types of fields whose Python type does not say it (``CompletionMode``),
for the decoder's words on a value of the wrong type (``jobsim.k8s.decoding``).
"""

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from jobsim.k8s.decoding import GoType, integral_number

QuantityValue = str | int | float

GO_INT_RANGE = "go_int_range"
"""The pydantic error type of a number outside its Go integer type."""


def _go_int(go_type: str, bits: int) -> AfterValidator:
    """The JSON decoder's range check: a number that does not fit ``go_type`` is refused
    (``json: cannot unmarshal number 2147483648 into Go struct field ... of type int32``)."""
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def check(v: Any) -> Any:
        if isinstance(v, int) and not low <= v <= high:
            raise PydanticCustomError(
                GO_INT_RANGE,
                "cannot unmarshal number {value} into Go value of type {go_type}",
                {"value": v, "go_type": go_type},
            )
        return v

    return AfterValidator(check)


Int32 = Annotated[int, BeforeValidator(integral_number), _go_int("int32", 32), GoType("int32")]
"""A Go ``int32`` field (``*int32`` when optional); a whole float is the integer kubectl's
JSON holds (``3.0`` is sent as ``3``)."""
Int64 = Annotated[int, BeforeValidator(integral_number), _go_int("int64", 64), GoType("int64")]
"""A Go ``int64`` field."""


class _Strict(BaseModel):
    """Unknown keys are errors; no type coercion ("3" is not an int)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class _Partial(_Strict):
    """A Kubernetes type of which jobsim models only some fields: its other real fields
    (``UNMODELLED``) are accepted and dropped unchecked; any other key is an unknown field."""

    UNMODELLED: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _drop_unmodelled(cls, data: Any) -> Any:
        if isinstance(data, dict) and not cls.UNMODELLED.isdisjoint(data):
            return {k: v for k, v in data.items() if k not in cls.UNMODELLED}
        return data


def unmodelled_fields(model: type[BaseModel]) -> frozenset[str]:
    """The real fields of ``model``'s Kubernetes type that jobsim accepts but does not model."""
    return model.UNMODELLED if issubclass(model, _Partial) else frozenset()


class ObjectMeta(_Partial):
    """``metav1.ObjectMeta``: the fields jobsim reads."""

    GO_TYPES: ClassVar[dict[str, str]] = {"uid": "types.UID"}

    UNMODELLED = frozenset(
        {
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "ownerReferences",
            "finalizers",
            "managedFields",
            "selfLink",
        }
    )

    name: str | None = None
    generateName: str | None = None
    namespace: str | None = None
    uid: str | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class ResourceRequirements(_Partial):
    """``core/v1 ResourceRequirements``: quantities as written."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "requests": "v1.ResourceList",
        "limits": "v1.ResourceList",
    }

    UNMODELLED = frozenset({"claims"})

    requests: dict[str, QuantityValue] | None = None
    limits: dict[str, QuantityValue] | None = None


class Container(_Partial):
    """``core/v1 Container``: the fields the simulation uses."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "imagePullPolicy": "v1.PullPolicy",
        "restartPolicy": "v1.ContainerRestartPolicy",
    }

    UNMODELLED = frozenset(
        {
            "workingDir",
            "ports",
            "envFrom",
            "env",
            "resizePolicy",
            "restartPolicyRules",
            "volumeMounts",
            "volumeDevices",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "lifecycle",
            "terminationMessagePath",
            "terminationMessagePolicy",
            "securityContext",
            "stdin",
            "stdinOnce",
            "tty",
        }
    )

    name: str
    image: str | None = None
    imagePullPolicy: str | None = None
    command: list[str] | None = None
    args: list[str] | None = None
    resources: ResourceRequirements | None = None
    restartPolicy: str | None = None


class Toleration(_Strict):
    """``core/v1 Toleration``."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "operator": "v1.TolerationOperator",
        "effect": "v1.TaintEffect",
    }

    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    tolerationSeconds: Int64 | None = None


class NodeSelectorRequirement(_Strict):
    """``core/v1 NodeSelectorRequirement``."""

    GO_TYPES: ClassVar[dict[str, str]] = {"operator": "v1.NodeSelectorOperator"}

    key: str
    operator: str
    values: list[str] | None = None


class NodeSelectorTerm(_Strict):
    """``core/v1 NodeSelectorTerm``: its requirements all hold (an empty term matches none)."""

    matchExpressions: list[NodeSelectorRequirement] | None = None
    matchFields: list[NodeSelectorRequirement] | None = None


class NodeSelector(_Strict):
    """``core/v1 NodeSelector``: some term matches."""

    nodeSelectorTerms: list[NodeSelectorTerm] | None = None


class PreferredSchedulingTerm(_Strict):
    """``core/v1 PreferredSchedulingTerm``."""

    weight: Int32
    preference: NodeSelectorTerm


class NodeAffinity(_Strict):
    """``core/v1 NodeAffinity``."""

    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector | None = None
    preferredDuringSchedulingIgnoredDuringExecution: list[PreferredSchedulingTerm] | None = None


class LabelSelectorRequirement(_Strict):
    """``metav1.LabelSelectorRequirement``."""

    GO_TYPES: ClassVar[dict[str, str]] = {"operator": "v1.LabelSelectorOperator"}

    key: str
    operator: str
    values: list[str] | None = None


class LabelSelector(_Strict):
    """``metav1.LabelSelector``."""

    matchLabels: dict[str, str] | None = None
    matchExpressions: list[LabelSelectorRequirement] | None = None


class PodAffinityTerm(_Strict):
    """``core/v1 PodAffinityTerm``: the pods (by label and namespace) a pod wants near (or
    away from) it, in the node topology named by ``topologyKey``; ``matchLabelKeys`` and
    ``mismatchLabelKeys`` name labels whose values the API server merges into the selector
    when it creates a pod (``jobsim.k8s.pod_affinity``)."""

    labelSelector: LabelSelector | None = None
    namespaces: list[str] | None = None
    topologyKey: str = ""
    namespaceSelector: LabelSelector | None = None
    matchLabelKeys: list[str] | None = None
    mismatchLabelKeys: list[str] | None = None


class WeightedPodAffinityTerm(_Strict):
    """``core/v1 WeightedPodAffinityTerm``."""

    weight: Int32
    podAffinityTerm: PodAffinityTerm


class PodAffinity(_Strict):
    """``core/v1 PodAffinity`` (also the shape of ``PodAntiAffinity``)."""

    requiredDuringSchedulingIgnoredDuringExecution: list[PodAffinityTerm] | None = None
    preferredDuringSchedulingIgnoredDuringExecution: list[WeightedPodAffinityTerm] | None = None


class Affinity(_Strict):
    """``core/v1 Affinity``."""

    nodeAffinity: NodeAffinity | None = None
    podAffinity: PodAffinity | None = None
    podAntiAffinity: PodAffinity | None = None


class TopologySpreadConstraint(_Strict):
    """``core/v1 TopologySpreadConstraint``."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "whenUnsatisfiable": "v1.UnsatisfiableConstraintAction",
        "nodeAffinityPolicy": "v1.NodeInclusionPolicy",
        "nodeTaintsPolicy": "v1.NodeInclusionPolicy",
    }

    maxSkew: Int32
    topologyKey: str
    whenUnsatisfiable: str
    labelSelector: LabelSelector | None = None
    minDomains: Int32 | None = None
    nodeAffinityPolicy: str | None = None
    nodeTaintsPolicy: str | None = None
    matchLabelKeys: list[str] | None = None


class PodSpec(_Partial):
    """``core/v1 PodSpec``: the fields the scheduler, kubelet and controller read."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "restartPolicy": "v1.RestartPolicy",
        "ephemeralContainers": "[]v1.EphemeralContainer",
    }

    UNMODELLED = frozenset(
        {
            "volumes",
            "dnsPolicy",
            "serviceAccountName",
            "serviceAccount",
            "automountServiceAccountToken",
            "hostNetwork",
            "hostPID",
            "hostIPC",
            "shareProcessNamespace",
            "securityContext",
            "imagePullSecrets",
            "hostname",
            "subdomain",
            "hostAliases",
            "dnsConfig",
            "readinessGates",
            "runtimeClassName",
            "enableServiceLinks",
            "preemptionPolicy",
            "overhead",
            "setHostnameAsFQDN",
            "os",
            "hostUsers",
            "schedulingGates",
            "resourceClaims",
            "resources",
            "hostnameOverride",
            "schedulingGroup",
        }
    )

    containers: list[Container] = []
    initContainers: list[Container] | None = None
    restartPolicy: str | None = None
    terminationGracePeriodSeconds: Int64 | None = None
    activeDeadlineSeconds: Int64 | None = None
    priorityClassName: str | None = None
    priority: Int32 | None = None
    schedulerName: str | None = None
    nodeSelector: dict[str, str] | None = None
    nodeName: str | None = None
    tolerations: list[Toleration] | None = None
    affinity: Affinity | None = None
    topologySpreadConstraints: list[TopologySpreadConstraint] | None = None
    ephemeralContainers: list[dict[str, object]] | None = None  # rejected in templates (V-T5)


class PodTemplateSpec(_Strict):
    """``core/v1 PodTemplateSpec``."""

    metadata: ObjectMeta | None = None
    spec: PodSpec


class PodFailurePolicyOnExitCodesRequirement(_Strict):
    """``batch/v1 PodFailurePolicyOnExitCodesRequirement``."""

    GO_TYPES: ClassVar[dict[str, str]] = {"operator": "v1.PodFailurePolicyOnExitCodesOperator"}

    containerName: str | None = None
    operator: str | None = None
    values: list[Int32] | None = None


class PodFailurePolicyOnPodConditionsPattern(_Strict):
    """``batch/v1 PodFailurePolicyOnPodConditionsPattern``; status defaults to True."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "type": "v1.PodConditionType",
        "status": "v1.ConditionStatus",
    }

    type: str
    status: str | None = None


class PodFailurePolicyRule(_Strict):
    """``batch/v1 PodFailurePolicyRule``."""

    GO_TYPES: ClassVar[dict[str, str]] = {"action": "v1.PodFailurePolicyAction"}

    action: str | None = None
    onExitCodes: PodFailurePolicyOnExitCodesRequirement | None = None
    onPodConditions: list[PodFailurePolicyOnPodConditionsPattern] | None = None


class PodFailurePolicy(_Strict):
    """``batch/v1 PodFailurePolicy``."""

    rules: list[PodFailurePolicyRule] = []


class SuccessPolicyRule(_Strict):
    """``batch/v1 SuccessPolicyRule``."""

    succeededIndexes: str | None = None
    succeededCount: Int32 | None = None


class SuccessPolicy(_Strict):
    """``batch/v1 SuccessPolicy``."""

    rules: list[SuccessPolicyRule] = []


class JobSpec(_Strict):
    """``batch/v1 JobSpec``: every field the Job controller reads."""

    GO_TYPES: ClassVar[dict[str, str]] = {
        "completionMode": "v1.CompletionMode",
        "podReplacementPolicy": "v1.PodReplacementPolicy",
    }

    parallelism: Int32 | None = None
    completions: Int32 | None = None
    activeDeadlineSeconds: Int64 | None = None
    podFailurePolicy: PodFailurePolicy | None = None
    successPolicy: SuccessPolicy | None = None
    backoffLimit: Int32 | None = None
    backoffLimitPerIndex: Int32 | None = None
    maxFailedIndexes: Int32 | None = None
    selector: LabelSelector | None = None
    manualSelector: bool | None = None
    template: PodTemplateSpec
    ttlSecondsAfterFinished: Int32 | None = None
    completionMode: str | None = None
    suspend: bool | None = None
    podReplacementPolicy: str | None = None
    managedBy: str | None = None


class Job(_Strict):
    """``batch/v1 Job``. ``status`` is accepted and cleared, as the API server does on create."""

    GO_TYPES: ClassVar[dict[str, str]] = {"status": "v1.JobStatus"}

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: JobSpec
    status: dict[str, object] | None = None


__all__ = [
    "GO_INT_RANGE",
    "Affinity",
    "Container",
    "Int32",
    "Int64",
    "Job",
    "JobSpec",
    "LabelSelector",
    "LabelSelectorRequirement",
    "NodeAffinity",
    "NodeSelector",
    "NodeSelectorRequirement",
    "NodeSelectorTerm",
    "ObjectMeta",
    "PodAffinity",
    "PodAffinityTerm",
    "PodFailurePolicy",
    "PodFailurePolicyOnExitCodesRequirement",
    "PodFailurePolicyOnPodConditionsPattern",
    "PodFailurePolicyRule",
    "PodSpec",
    "PodTemplateSpec",
    "PreferredSchedulingTerm",
    "QuantityValue",
    "ResourceRequirements",
    "SuccessPolicy",
    "SuccessPolicyRule",
    "Toleration",
    "TopologySpreadConstraint",
    "WeightedPodAffinityTerm",
    "unmodelled_fields",
]
