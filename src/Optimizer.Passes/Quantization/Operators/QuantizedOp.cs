// One operator static INT8 quantizes, as QuantizedOps declares it (the way ONNX Runtime's
// quantization registry.py maps an op type to its quantizer). Everything op-specific lives here,
// and the passes read it:
// - QdqPlanner: which inputs are activations, whether the output is quantized, the weight and
//   bias (WeightedOp), constant operands, shared ranges, and why a node stays in float;
// - QdqRewriter: the weight's per-channel axis and bias (WeightedOp); the rest of QDQ is generic;
// - QOperatorRewriter: the writer that turns the op's QDQ group into the quantized operator;
// - ActivationFolding: whether a following Relu/Clip can live in the op's output range;
// - Pruning/BiasCorrection: how a change of the op's weights shifts its output.
// The families below are the shapes ORT's QDQ selectors know; an op of an existing family is one
// table entry, a new family one factory plus its QOperator writer.

using Optimizer.Onnx;
using Optimizer.Passes.Pruning;

namespace Optimizer.Passes.Quantization.Operators;

/// <summary>How the planner treats an op.</summary>
internal enum QuantizedOpFamily
{
    /// <summary>Conv, Gemm, MatMul: input 0 is the activation, input 1 a constant weight quantized per channel, maybe a bias.</summary>
    Weighted,

    /// <summary>Reads and writes activations with a kernel of its own (Add, Mul, Concat, average pools).</summary>
    Activation,

    /// <summary>Moves 8-bit data: quantized when its input is, its output sharing the input's range (MaxPool, Reshape, …).</summary>
    DataMovement,
}

/// <summary>The quantized operator replacing <paramref name="node"/>'s QDQ group and the QuantizeLinear it absorbs; null when the group does not match.</summary>
internal delegate (OnnxNode Node, OnnxNode? Q)? QOperatorWriter(OnnxGraph graph, OnnxNode node, HashSet<string> outputs);

/// <summary>Why <paramref name="node"/> is not quantized: null when it is, "" when it is no candidate (nothing reported).</summary>
internal delegate string? PlanCheck(OnnxGraph graph, OnnxNode node);

/// <summary>One entry of <see cref="QuantizedOps"/>.</summary>
internal sealed record QuantizedOp
{
    public required QuantizedOpFamily Family { get; init; }

    /// <summary>The weight and bias of a <see cref="QuantizedOpFamily.Weighted"/> op.</summary>
    public WeightedOp? Weight { get; init; }

    /// <summary>Why a node is left in float beyond the generic checks (element types, KeepFloat).</summary>
    public PlanCheck Check { get; init; } = (_, _) => null;

    /// <summary>Only input 0 is an activation (else every non-constant input is).</summary>
    public bool FirstInputOnly { get; init; }

    /// <summary>Its quantized kernel writes 8-bit output, so the output gets a Q/DQ pair (Gemm and MatMul keep a float output unless a consumer reads it quantized).</summary>
    public bool QuantizesOutput { get; init; }

    /// <summary>A following Relu/Clip(min 0) folds into its output range (its kernel writes its own scale).</summary>
    public bool AbsorbsActivation { get; init; }

    /// <summary>Non-float inputs are reported; false for ops that commonly do integer shape arithmetic (Add, Mul, Concat).</summary>
    public bool ReportsNonFloat { get; init; } = true;

    /// <summary>Constant operands become 8-bit per-tensor initializers read through a DequantizeLinear (Add, Mul).</summary>
    public bool QuantizesConstantOperands { get; init; }

    /// <summary>Inputs and output share one range (Concat: QLinearConcat then copies bytes).</summary>
    public bool SharesRange { get; init; }

    /// <summary>Writes the QOperator form.</summary>
    public required QOperatorWriter QOperator { get; init; }

    /// <summary>How a change of its weights is taken out of its bias (weighted ops).</summary>
    public BiasCorrectionRule? BiasCorrection { get; init; }

    /// <summary>Conv/Gemm/MatMul: the weight is quantized per channel, the activation input and, where its kernel writes 8-bit, the output.</summary>
    public static QuantizedOp Weighted(WeightedOp weight, bool quantizesOutput, QOperatorWriter qOperator, BiasCorrectionRule biasCorrection) => new()
    {
        Family = QuantizedOpFamily.Weighted,
        Weight = weight,
        Check = (graph, node) => weight.WhyNoIntegerForm(node) ?? PlanChecks.Weight(graph, node, weight) ?? PlanChecks.Bias(graph, node, weight),
        FirstInputOnly = true,
        QuantizesOutput = quantizesOutput,
        AbsorbsActivation = true,
        QOperator = qOperator,
        BiasCorrection = biasCorrection,
    };

    /// <summary>A binary op with an 8-bit kernel (QLinearAdd, QLinearMul): either operand may be a constant.</summary>
    public static QuantizedOp Binary(QOperatorWriter qOperator) => Activation(qOperator) with
    {
        Check = PlanChecks.Binary,
        AbsorbsActivation = true,
        ReportsNonFloat = false,
        QuantizesConstantOperands = true,
    };

    /// <summary>A one-input op with an 8-bit kernel that computes new values (QLinearAveragePool, …).</summary>
    public static QuantizedOp Unary(QOperatorWriter qOperator) => Activation(qOperator) with { FirstInputOnly = true, AbsorbsActivation = true };

    /// <summary>Concat: every input and the output share one range.</summary>
    public static QuantizedOp Concat(QOperatorWriter qOperator) => Activation(qOperator) with { ReportsNonFloat = false, SharesRange = true };

    /// <summary>An op that moves or selects values without computing new ones, run on the 8-bit tensor.</summary>
    public static QuantizedOp DataMovement { get; } = new()
    {
        Family = QuantizedOpFamily.DataMovement,
        QOperator = QOperatorWriters.Movement,
    };

    /// <summary>The activation family: reads activations and writes its own quantized output.</summary>
    private static QuantizedOp Activation(QOperatorWriter qOperator) => new()
    {
        Family = QuantizedOpFamily.Activation,
        QuantizesOutput = true,
        QOperator = qOperator,
    };
}
