using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Act = Optimizer.Runtime.Compiled.Kernels.EpilogueActivation;

namespace Optimizer.Compiler.Build;

// The elementwise nodes an epilogue chain absorbs, as data: affine links (y = x·s + t, s and t one
// constant or one per channel) and activations. NodeEmitter.EpilogueFusion walks a chain through
// them; every rule reads only its own node's operands, the walk checks who else reads the values.
internal static partial class NodeEmitter
{
    /// <summary><c>y = x · Scale + Shift</c>, one float for all channels or one per channel.</summary>
    internal sealed record Affine(float[] Scale, float[] Shift)
    {
        public static readonly Affine Identity = new([1f], [0f]);

        public bool IsIdentity => Scale is [1f] && Shift is [0f];

        /// <summary><c>next(this(x))</c>; null when their channel counts differ.</summary>
        public Affine? Then(Affine next)
        {
            var length = Math.Max(Scale.Length, next.Scale.Length);
            if (Scale.Length != 1 && Scale.Length != length || next.Scale.Length != 1 && next.Scale.Length != length)
            {
                return null;
            }

            var (scale, shift) = (new float[length], new float[length]);
            for (var c = 0; c < length; c++)
            {
                var s = next.Scale[next.Scale.Length == 1 ? 0 : c];
                scale[c] = Scale[Scale.Length == 1 ? 0 : c] * s;
                shift[c] = Shift[Shift.Length == 1 ? 0 : c] * s + next.Shift[next.Shift.Length == 1 ? 0 : c];
            }

            return new Affine(scale, shift);
        }

        /// <summary>Scale and shift for <paramref name="channels"/> channels.</summary>
        public (float[] Scale, float[] Shift) PerChannel(int channels) =>
            (Enumerable.Range(0, channels).Select(c => Scale[Scale.Length == 1 ? 0 : c]).ToArray(),
                Enumerable.Range(0, channels).Select(c => Shift[Shift.Length == 1 ? 0 : c]).ToArray());
    }

    /// <summary>An activation a chain ends in: its nodes, code, parameters and the value it writes.</summary>
    internal sealed record ChainActivation(OnnxNode[] Nodes, Act Act, float P0, float P1, string Output);

    /// <summary>
    /// Affine links by operator: the map a node applies to <c>x</c> (one of its inputs; its other
    /// operands constants broadcast per channel of x's axis 1), or null.
    /// </summary>
    private static readonly Dictionary<string, Func<BuildContext, OnnxNode, EpilogueInput, Affine?>> AffineLinks = new(StringComparer.Ordinal)
    {
        ["Mul"] = (ctx, node, x) => ChannelOperand(ctx, node, x) is { } c ? new Affine(c, Filled(c.Length, 0f)) : null,
        ["Add"] = (ctx, node, x) => ChannelOperand(ctx, node, x) is { } c ? new Affine(Filled(c.Length, 1f), c) : null,
        ["Sub"] = (ctx, node, x) => ChannelOperand(ctx, node, x) is { } c
            ? node.Inputs[0] == x.Name ? new Affine(Filled(c.Length, 1f), c.Select(v => -v).ToArray()) : new Affine(Filled(c.Length, -1f), c)
            : null,
        ["Div"] = (ctx, node, x) => node.Inputs[0] == x.Name && ChannelOperand(ctx, node, x) is { } c && c.All(v => v != 0f)
            ? new Affine(c.Select(v => 1f / v).ToArray(), Filled(c.Length, 0f))
            : null,
        ["BatchNormalization"] = BatchNormLink,
    };

    /// <summary>Activations by the operator of their first node (the one reading <c>x</c> first), or null.</summary>
    private static readonly Dictionary<string, Func<BuildContext, OnnxNode, string, ChainActivation?>> ChainActivations = new(StringComparer.Ordinal)
    {
        ["Relu"] = (_, node, _) => new ChainActivation([node], Act.Relu, 0f, 0f, node.Outputs[0]),
        ["Clip"] = (ctx, node, _) => ConstantClipBounds(ctx, node) is var (lo, hi) ? new ChainActivation([node], Act.Clamp, lo, hi, node.Outputs[0]) : null,
        ["HardSwish"] = (_, node, _) => new ChainActivation([node], Act.HardSwish, 1f, 0f, node.Outputs[0]),
        ["Add"] = WrittenOutHardSwish,
        ["HardSigmoid"] = HardSigmoidOrHardSwish,
        ["LeakyRelu"] = LeakyReluWithFloor,
        ["Max"] = (ctx, node, x) => ConstScalarOperand(ctx, node, x) is { } floor ? new ChainActivation([node], Act.Clamp, floor, float.PositiveInfinity, node.Outputs[0]) : null,
        ["Min"] = (ctx, node, x) => ConstScalarOperand(ctx, node, x) is { } ceiling ? new ChainActivation([node], Act.Clamp, float.NegativeInfinity, ceiling, node.Outputs[0]) : null,
    };

    /// <summary>The value a chain starts from: its name, shape and the channel count of axis 1 (0 when not a constant).</summary>
    private sealed record EpilogueInput(string Name, Dim[] Shape, int Channels);

    private static float[] Filled(int length, float value) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>
    /// The constant operand of a binary node reading <paramref name="x"/> when it broadcasts to
    /// <paramref name="x"/> without growing it: one float, or one per channel of axis 1.
    /// </summary>
    private static float[]? ChannelOperand(BuildContext ctx, OnnxNode node, EpilogueInput x)
    {
        if (OtherInput(node, x.Name) is not { } other || other == x.Name || FloatConstant(ctx, other) is not { } c || c.Shape.Length > x.Shape.Length)
        {
            return null;
        }

        if (c.Count == 1)
        {
            return c.Values;
        }

        // Right-aligned to x: every axis 1 but x's channel axis, which holds the channels.
        var channelAxis = 1 - (x.Shape.Length - c.Shape.Length);
        var perChannel = x.Channels > 1 && channelAxis >= 0 && c.Shape[channelAxis] == x.Channels
            && c.Shape.Select((d, i) => i == channelAxis || d == 1).All(ok => ok);
        return perChannel ? c.Values : null;
    }

    /// <summary>Inference BatchNormalization: <c>(x − mean) · γ / √(var + ε) + β</c> per channel.</summary>
    private static Affine? BatchNormLink(BuildContext ctx, OnnxNode node, EpilogueInput x)
    {
        if (node.Inputs[0] != x.Name || node.Outputs.Count(o => o.Length > 0) > 1 || node.Int("training_mode", 0) != 0 || x.Channels < 1
            || Enumerable.Range(1, 4).Select(i => i < node.Inputs.Count ? FloatConstant(ctx, node.Inputs[i]) : null).ToArray() is not
                [{ } gamma, { } beta, { } mean, { } variance]
            || new[] { gamma, beta, mean, variance }.Any(p => p.Count != x.Channels))
        {
            return null;
        }

        var epsilon = node.Float("epsilon", 1e-5f);
        var scale = new float[x.Channels];
        var shift = new float[x.Channels];
        for (var c = 0; c < x.Channels; c++)
        {
            // As EmitBatchNorm computes them.
            scale[c] = gamma.Values[c] / MathF.Sqrt(variance.Values[c] + epsilon);
            shift[c] = beta.Values[c] - mean.Values[c] * scale[c];
        }

        return new Affine(scale, shift);
    }

    /// <summary>Clip's bounds when they are constants (attributes before opset 11, inputs after), else null.</summary>
    private static (float Min, float Max)? ConstantClipBounds(BuildContext ctx, OnnxNode node) =>
        ConstantClipBound(ctx, node, 1, "min", float.NegativeInfinity) is { } lo && ConstantClipBound(ctx, node, 2, "max", float.PositiveInfinity) is { } hi ? (lo, hi) : null;

    /// <summary>HardSwish as Paddle exports it: <c>Add(x, 3) → Clip(0, 6) → Mul(x, ·) → Div(·, 6)</c>.</summary>
    private static ChainActivation? WrittenOutHardSwish(BuildContext ctx, OnnxNode add, string x)
    {
        if (ConstScalarOperand(ctx, add, x) != 3f
            || SoleConsumer(ctx, add.Outputs[0]) is not { OpType: "Clip" } clip || clip.Inputs[0] != add.Outputs[0] || ConstantClipBounds(ctx, clip) != (0f, 6f)
            || SoleConsumer(ctx, clip.Outputs[0]) is not { OpType: "Mul" } times || OtherInput(times, clip.Outputs[0]) != x
            || SoleConsumer(ctx, times.Outputs[0]) is not { OpType: "Div" } divide || divide.Inputs[0] != times.Outputs[0]
            || ConstScalarOperand(ctx, divide, times.Outputs[0]) != 6f)
        {
            return null;
        }

        return new ChainActivation([add, clip, times, divide], Act.HardSwish, 1f, 0f, divide.Outputs[0]);
    }

    /// <summary>LeakyRelu with α in [0, 1] (<c>max(x, αx)</c>), and a Max with a constant scalar after it (the wake-word embedding's floor).</summary>
    private static ChainActivation? LeakyReluWithFloor(BuildContext ctx, OnnxNode leaky, string x)
    {
        var alpha = leaky.Float("alpha", 0.01f);
        if (alpha is not (>= 0f and <= 1f))
        {
            return null;
        }

        return SoleConsumer(ctx, leaky.Outputs[0]) is { OpType: "Max", Inputs.Count: 2 } max && ConstScalarOperand(ctx, max, leaky.Outputs[0]) is { } floor
            ? new ChainActivation([leaky, max], Act.LeakyRelu, alpha, floor, max.Outputs[0])
            : new ChainActivation([leaky], Act.LeakyRelu, alpha, float.NegativeInfinity, leaky.Outputs[0]);
    }

    /// <summary><c>x · HardSigmoid(x)</c> with HardSwish's α = 1/6, β = 1/2 is HardSwish; else HardSigmoid (an SE block's gate).</summary>
    private static ChainActivation HardSigmoidOrHardSwish(BuildContext ctx, OnnxNode gate, string x)
    {
        var (alpha, beta) = (gate.Float("alpha", 0.2f), gate.Float("beta", 0.5f));
        return alpha == 1f / 6 && beta == 0.5f && SoleConsumer(ctx, gate.Outputs[0]) is { OpType: "Mul" } times && OtherInput(times, gate.Outputs[0]) == x
            ? new ChainActivation([gate, times], Act.HardSwish, 1f, 0f, times.Outputs[0])
            : new ChainActivation([gate], Act.HardSigmoid, alpha, beta, gate.Outputs[0]);
    }
}
