using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// Folds the constant Mul / Add / Sub / Div nodes that follow a Conv (a chain of them, constant on
/// either side, as PaddleOCR exports its learnable affine: <c>Add(Mul(s, conv), t)</c>) into the
/// Conv's weight and bias: <c>W' = W · s</c> and <c>b' = b · s + t</c> per output channel. The
/// constant must be a float32 initializer of one value or one per output channel (shape [C,1,1],
/// [1,C,1,1]…, right-aligned to the Conv's output, so a [C] constant broadcasts along the last
/// spatial axis and is refused); each value in the chain must feed nothing but the next node.
/// <c>c − x</c> folds as <c>x · (−1) + c</c>; <c>c / x</c> is not affine and stops the chain.
/// <c>x / c</c> folds as <c>x · (1/c)</c> with 1/c and the products in double, rounded once to
/// float: it differs from ONNX Runtime's division by rounding only (as ONNX Runtime's own fusions
/// and the compiler's epilogue do), and a zero or non-finite constant is refused.
/// Doing this in the model (not in the compiler) keeps one copy of the weights: the kernel program
/// references the optimized model's initializers instead of storing folded ones.
/// </summary>
internal static class ConvAffineFolding
{
    /// <summary>Added to the name of a folded weight or bias another node still reads in its original form.</summary>
    private const string Suffix = "_affine_folded";

    /// <summary>Opset 7 is the first whose Mul/Add/Sub/Div broadcast right-aligned (numpy style) without the <c>broadcast</c>/<c>axis</c> attributes.</summary>
    private const long MinimumOpset = 7;

    /// <summary>
    /// Each operator's map of x, given its constant (one value or one per channel) and whether x is
    /// the left operand: (scale, shift), or the reason it is not a fold.
    /// </summary>
    private static readonly Dictionary<string, Func<double[], bool, (Affine? Link, string? Reason)>> Links = new(StringComparer.Ordinal)
    {
        ["Mul"] = (c, _) => (new Affine(c, Zeros(c.Length)), null),
        ["Add"] = (c, _) => (new Affine(Filled(c.Length, 1), c), null),
        ["Sub"] = (c, xOnLeft) => (xOnLeft ? new Affine(Filled(c.Length, 1), c.Select(v => -v).ToArray()) : new Affine(Filled(c.Length, -1), c), null),
        ["Div"] = (c, xOnLeft) => !xOnLeft ? (null, "it divides a constant by the Conv output (not an affine map)")
            : c.Contains(0) ? (null, "it divides by zero")
            : (new Affine(c.Select(v => 1 / v).ToArray(), Zeros(c.Length)), null),
    };

    /// <summary><c>y = x · Scale + Shift</c>, one value for all channels or one per channel (double, rounded once when folded).</summary>
    private sealed record Affine(double[] Scale, double[] Shift)
    {
        public static readonly Affine Identity = new([1], [0]);

        /// <summary><c>next(this(x))</c> over <paramref name="channels"/> channels.</summary>
        public Affine Then(Affine next, int channels)
        {
            var (scale, shift) = (new double[channels], new double[channels]);
            for (var c = 0; c < channels; c++)
            {
                var s = At(next.Scale, c);
                scale[c] = At(Scale, c) * s;
                shift[c] = At(Shift, c) * s + At(next.Shift, c);
            }

            return new Affine(scale, shift);
        }

        public static double At(double[] values, int channel) => values[values.Length == 1 ? 0 : channel];
    }

    /// <summary>The Conv's constant parameters: weight [M, C/group, k…] and optional bias [M].</summary>
    private sealed record ConvParameters(OnnxTensor Weight, OnnxTensor? Bias)
    {
        public int Channels => (int)Weight.Dims[0];

        /// <summary>The rank of the Conv's output (that of its weight: batch, channels, spatial axes).</summary>
        public int OutputRank => Weight.Dims.Count;
    }

    public static void Run(OnnxModel model, UniqueNames names, List<PassChange> changed, List<PassSkip> skipped)
    {
        var graph = model.Graph;
        GraphUsage? usage = null;
        foreach (var conv in graph.Nodes.Where(n => n is { OpType: "Conv", IsDefaultDomain: true } && n.Outputs.Count == 1).ToArray())
        {
            // Rebuilt only after a fold changed the graph.
            usage ??= new GraphUsage(graph);
            ConvParameters? parameters = null;
            Affine? total = null;
            var chain = new List<(OnnxNode Node, string Constant)>();
            var value = conv.Outputs[0];
            // A chain continues through the value's only reader; a value read by several nodes is a branch, not a chain (nothing to report).
            while (usage.ConsumersOf(value) is [{ OpType: "Mul" or "Add" or "Sub" or "Div", IsDefaultDomain: true } node])
            {
                var reason = parameters is null ? WhyNotParameters(model, conv, out parameters) : null;
                (Affine? link, string? constant) = (null, null);
                reason ??= WhyNot(model, usage, value, node, parameters!, out link, out constant);
                if (reason is not null)
                {
                    skipped.Add(new PassSkip(CleanupLog.NameOf(node), $"{node.OpType} not folded into {CleanupLog.NameOf(conv)}: {reason}"));
                    break;
                }

                total = (total ?? Affine.Identity).Then(link!, parameters!.Channels);
                chain.Add((node, constant!));
                value = node.Outputs[0];
            }

            if (chain.Count == 0)
            {
                continue;
            }

            var convName = CleanupLog.NameOf(conv); // before the fold renames its output
            ConvOutputFold.Apply(model, names, usage, conv, parameters!.Weight, parameters.Bias, total!.Scale, total.Shift, chain.Select(c => c.Node).ToArray(), Suffix);
            usage = null;
            changed.AddRange(chain.Select(c => new PassChange(CleanupLog.NameOf(c.Node),
                string.Create(CultureInfo.InvariantCulture, $"{c.Node.OpType} by {c.Constant} folded into {convName} ({parameters!.Channels} channels)"))));
        }
    }

    private static string? WhyNotParameters(OnnxModel model, OnnxNode conv, out ConvParameters? parameters)
    {
        parameters = null;
        if (conv.Inputs.Count < 2 || FusionGuards.ConstantFloat(model, conv.Inputs[1]) is not { Dims.Count: >= 3 } weight || weight.Dims[0] is < 1 or > int.MaxValue)
        {
            return "the Conv weight is not a constant float32 initializer";
        }

        var hasBias = conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0;
        var bias = hasBias ? FusionGuards.ConstantFloat(model, conv.Inputs[2]) : null;
        if (hasBias && bias?.ElementCount != weight.Dims[0])
        {
            return "the Conv bias is not a constant float32 initializer of one value per output channel";
        }

        parameters = new ConvParameters(weight, bias);
        return null;
    }

    /// <summary>Null when <paramref name="node"/> is a fold of <paramref name="x"/> (the Conv's output or the chain's last value): its map and its constant as text.</summary>
    private static string? WhyNot(OnnxModel model, GraphUsage usage, string x, OnnxNode node, ConvParameters conv, out Affine? link, out string? constant)
    {
        (link, constant) = (null, null);
        if (FusionGuards.OtherReaders(usage, x, node) is { } other) return other;
        if (model.GetOpsetVersion("") is not >= MinimumOpset) return $"the model's opset is below {MinimumOpset} (Mul/Add/Sub/Div broadcast by their legacy attributes)";
        if (node.Inputs.Count != 2 || node.Outputs.Count != 1 || node.Inputs[0] == node.Inputs[1]) return $"it does not read {x} once beside one other operand";
        var xOnLeft = node.Inputs[0] == x;
        var operand = node.Inputs[xOnLeft ? 1 : 0];
        if (FusionGuards.ConstantFloat(model, operand) is not { } tensor) return $"{operand} is not a constant float32 initializer";
        if (WhyNotPerChannel(tensor.Dims, conv) is { } shape) return $"{operand} [{string.Join(",", tensor.Dims)}] {shape}";
        var values = tensor.ToFloatArray().Select(v => (double)v).ToArray();
        if (values.Length == 0 || values.Any(v => !double.IsFinite(v))) return $"{operand} holds a non-finite value";
        (link, var reason) = Links[node.OpType](values, xOnLeft);
        constant = values.Length == 1 ? $"scalar {operand}" : $"per-channel {operand}";
        return reason;
    }

    /// <summary>
    /// Null when a constant of <paramref name="dims"/> broadcasts to the Conv's output [N, M, spatial…]
    /// without growing it and with one value or one per channel: right-aligned, every axis 1 but the channel axis.
    /// </summary>
    private static string? WhyNotPerChannel(IReadOnlyList<long> dims, ConvParameters conv)
    {
        if (dims.Count > conv.OutputRank) return $"has more axes than the Conv output's {conv.OutputRank} (it would change the output's shape)";
        for (var i = 0; i < dims.Count; i++)
        {
            var axis = i + conv.OutputRank - dims.Count;
            if (dims[i] != 1 && (axis != 1 || dims[i] != conv.Channels))
            {
                return axis == 1
                    ? $"does not have the Conv's {conv.Channels} channels on the channel axis"
                    : $"varies along the output's {(axis == 0 ? "batch" : "spatial")} axis {axis} (not one value per channel)";
            }
        }

        return null;
    }

    private static double[] Filled(int length, double value) => Enumerable.Repeat(value, length).ToArray();

    private static double[] Zeros(int length) => new double[length];
}
