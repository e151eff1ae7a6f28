using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Act = Optimizer.Runtime.Compiled.Kernels.EpilogueActivation;

namespace Optimizer.Compiler.Build;

// PP-LCNet/MobileNetV3 exports (PaddleOCR) follow each convolution with a chain of elementwise
// nodes — a learnable affine, HardSwish written out as four nodes, another affine — one pass over
// the feature map each. A convolution takes the chain in: the affine before the activation folds
// into its weights and bias, the activation and a scalar affine after it run in its epilogue. A
// chain after anything else runs as one AffineActivation step.
internal static partial class NodeEmitter
{
    /// <summary>
    /// A matched chain: its nodes, the affine before the activation, the activation (with its
    /// parameters; HardSwish's are the scalar affine after it) and the value the chain ends in.
    /// </summary>
    internal sealed record EpilogueChain(OnnxNode[] Nodes, Affine Pre, Act Act, float P0, float P1, string Output)
    {
        public static EpilogueChain None(string output) => new([], Affine.Identity, Act.None, 0f, 0f, output);
    }

    /// <summary>
    /// The chain a Conv writing <paramref name="output"/> (shape <paramref name="shape"/>) can take in,
    /// its nodes marked absorbed; an empty chain when none (the Conv's output is read elsewhere, say).
    /// </summary>
    private static EpilogueChain ConvEpilogue(BuildContext ctx, string output, Dim[] shape)
    {
        if (ctx.Graph is null || ctx.GraphOutputNames.Contains(output))
        {
            return EpilogueChain.None(output);
        }

        var x = new EpilogueInput(output, shape, ChannelsOf(shape));
        var chain = MatchChain(ctx, x, ctx.ConsumersOf(output));
        if (chain is null || !ctx.ConsumersOf(output).All(chain.Nodes.Contains))
        {
            return EpilogueChain.None(output);
        }

        ctx.Absorbed.UnionWith(chain.Nodes);
        return chain;
    }

    /// <summary>
    /// A chain of two or more nodes starting at <paramref name="first"/> and not after a Conv (which
    /// took its own): emits one AffineActivation step and returns true, or returns false.
    /// </summary>
    private static bool TryEmitActivationChain(BuildContext ctx, OnnxNode first)
    {
        if (ctx.Graph is null || !AffineLinks.ContainsKey(first.OpType) && !ChainActivations.ContainsKey(first.OpType))
        {
            return false;
        }

        var data = first.Inputs.Where(i => i.Length > 0 && ctx.Has(i) && ctx.Get(i) is { IsConst: false, Type: TensorElementType.Float }).Distinct().ToArray();
        if (data is not [var name])
        {
            return false;
        }

        var value = ctx.Get(name);
        var chain = MatchChain(ctx, new EpilogueInput(name, value.Shape, ChannelsOf(value.Shape)), [first]);
        if (chain is not { Nodes.Length: >= 2 } || chain.Nodes[0] != first)
        {
            return false;
        }

        ctx.Absorbed.UnionWith(chain.Nodes.Skip(1));
        var perChannel = chain.Pre.Scale.Length > 1 || chain.Pre.Shift.Length > 1;
        var channels = perChannel ? ChannelsOf(value.Shape) : 1;
        var (scale, shift) = chain.Pre.IsIdentity ? (BuildContext.Empty, BuildContext.Empty) : AffineOperands(ctx, chain, channels);
        var y = Out(ctx, chain.Output, value.Shape);
        var (outer, inner) = perChannel ? (value.Shape[0], value.Shape.Product(2)) : ((Dim)1, value.Count);
        ctx.Emit(StepKind.AffineActivation, [ctx.Op(value), ctx.Op(y), scale, shift], [outer, channels, inner, (int)chain.Act], [chain.P0, chain.P1]);
        return true;
    }

    private static (RawOperand Scale, RawOperand Shift) AffineOperands(BuildContext ctx, EpilogueChain chain, int channels)
    {
        var (scale, shift) = chain.Pre.PerChannel(channels);
        return (ctx.WeightOp($"affine-scale:{chain.Output}", () => scale), ctx.WeightOp($"affine-shift:{chain.Output}", () => shift));
    }

    /// <summary>Axis 1's size when it is a constant, else 0.</summary>
    private static int ChannelsOf(Dim[] shape) => shape.Length > 1 && shape[1].IsConstant ? (int)shape[1].Value : 0;

    /// <summary>
    /// Affine links, then an activation, then (after HardSwish) scalar affine links, from
    /// <paramref name="x"/> through <paramref name="readers"/> (the nodes the chain may start with).
    /// Null when no node matched or an inner value is read outside the chain or is a graph output.
    /// </summary>
    private static EpilogueChain? MatchChain(BuildContext ctx, EpilogueInput x, IReadOnlyList<OnnxNode> readers)
    {
        var nodes = new List<OnnxNode>();
        var pre = Affine.Identity;
        var current = x;
        while (readers is [var link] && Claimable(ctx, link) && AffineLinks.TryGetValue(link.OpType, out var rule)
               && rule(ctx, link, current) is { } affine && pre.Then(affine) is { } composed)
        {
            (pre, current) = (composed, current with { Name = link.Outputs[0] });
            nodes.Add(link);
            readers = ctx.GraphOutputNames.Contains(current.Name) ? [] : ctx.ConsumersOf(current.Name);
        }

        var activation = readers.Where(r => Claimable(ctx, r) && ChainActivations.ContainsKey(r.OpType))
            .Select(r => ChainActivations[r.OpType](ctx, r, current.Name)).FirstOrDefault(a => a is not null);
        var (act, p0, p1, output) = (Act.None, 0f, 0f, current.Name);
        if (activation is not null)
        {
            nodes.AddRange(activation.Nodes);
            (act, p0, p1, output) = (activation.Act, activation.P0, activation.P1, activation.Output);
        }

        // After HardSwish the epilogue has p0, p1 for a scalar affine (PaddleOCR's learnable one).
        while (act == Act.HardSwish && SoleConsumer(ctx, output) is { } link && Claimable(ctx, link) && AffineLinks.TryGetValue(link.OpType, out var post)
               && post(ctx, link, current with { Name = output }) is { Scale: [var s], Shift: [var t] })
        {
            (p0, p1) = (p0 * s, p1 * s + t);
            nodes.Add(link);
            output = link.Outputs[0];
        }

        var inner = nodes.Select(n => n.Outputs[0]).Where(o => o != output).ToList();
        if (nodes.Count == 0 || nodes.Any(n => n.Outputs.Count(o => o.Length > 0) != 1)
            || inner.Any(v => ctx.GraphOutputNames.Contains(v) || !ctx.ConsumersOf(v).All(nodes.Contains)))
        {
            return null;
        }

        return new EpilogueChain(nodes.ToArray(), pre, act, p0, p1, output);
    }

    /// <summary>Whether a node is an ordinary default-domain node no other fusion has taken.</summary>
    private static bool Claimable(BuildContext ctx, OnnxNode node) =>
        node.IsDefaultDomain && !ctx.Absorbed.Contains(node) && !ctx.Fused.ContainsKey(node) && !ctx.PassThrough.ContainsKey(node) && !ctx.Lookups.ContainsKey(node)
        && !ctx.Elementwise.ContainsKey(node);
}
