using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// An STFT exported as a Conv (torchaudio-style spectrogram front ends: openWakeWord's melspectrogram,
// silero VAD) is a one-channel 1-D convolution with a long kernel (the FFT size) and a stride (the hop):
// a few frames, hundreds of output channels. The Conv kernel makes the weights its A operand, read
// one broadcast float per multiply-add, and pads the few frames to a 16-column panel. Here the frames
// are the GEMM's rows instead (a strided copy of the signal, each window one row), the weights its
// B operand packed at compile time (16 channels per vector load), and a transpose writes NCHW.
internal static partial class NodeEmitter
{
    // The shortest kernel taken as a frame: shorter 1-channel convolutions (a CNN's first layer) keep the Conv kernel.
    private const int FrameMinKernel = 64;

    // The fewest output channels worth a row of packed panels.
    private const int FrameMinChannels = 16;

    /// <summary>
    /// A one-channel, unpadded, undilated 1-D Conv with a long kernel as frames × weightsᵀ (CopyStrided,
    /// Gemm, Transpose); false where the Conv is not of that form. Decided from the weights and attributes
    /// alone, so every binding of the symbolic dimensions builds the same steps.
    /// </summary>
    private static bool TryEmitFramedConv(BuildContext ctx, OnnxNode node, Val x, Val w, Val? bias, long group, Window g)
    {
        var m = w.Shape[0];
        if (group != 1 || !Is(x.Shape[1], 1) || !Is(g.H, 1) || !Is(g.KH, 1) || !Is(g.PadLeft, 0) || !Is(g.PadRight, 0) || !Is(g.DilW, 1)
            || !g.KW.IsConstant || g.KW.Value < FrameMinKernel || !m.IsConstant || m.Value < FrameMinChannels)
        {
            return false;
        }

        var (n, k, frames) = (x.Shape[0], g.KW, g.OW);
        var rows = ctx.Scratch(n * frames * k);
        ctx.Emit(StepKind.CopyStrided, [Bytes(ctx, x), rows with { Length = rows.Length * 4 }],
            [4, 0, 3, .. Pad6([n, frames, k]), .. Pad6([g.W, g.StrideW, 1])], []);

        // The weights [m, 1, k] are Bᵀ ([n, k] rows): packed transposed, as a MatMul's constant B. The product is frames × channels.
        var packed = PackedB(ctx, w, 1, k, m, true, node.Inputs[1]);
        var columnBias = bias is null ? BuildContext.Empty : ctx.Op(bias);
        void EmitProduct(RawOperand into) =>
            ctx.Emit(StepKind.Gemm, [rows, packed, columnBias, into], [1, n * frames, m, k, 0, 0, 0, 0], [1f, 0f, 0f]);

        if (FramesFirstReader(ctx, node, n, frames, m) is var (taken, output, shape))
        {
            // The spectrogram's own transpose back to frames × channels (its only reader) is the product as it is.
            EmitProduct(ctx.Op(Out(ctx, output, shape)));
            ctx.Absorbed.UnionWith(taken);
            return true;
        }

        var product = ctx.Scratch(n * frames * m);
        EmitProduct(product);
        EmitTransposeInto(ctx, product, [n, frames, m], [0, 2, 1], ctx.Op(Out(ctx, node.Outputs[0], SpatialShape(n, m, g, x.Shape.Length - 2))));
        return true;
    }

    /// <summary>
    /// The Conv's only reader when it transposes the output back to frames × channels (a Transpose [0, 2, 1], or an
    /// Unsqueeze at axis 1 then a Transpose [0, 1, 3, 2], as spectrogram exports do): the nodes, the value they make and its shape.
    /// </summary>
    private static (OnnxNode[] Taken, string Output, Dim[] Shape)? FramesFirstReader(BuildContext ctx, OnnxNode conv, Dim n, Dim frames, Dim m)
    {
        var value = conv.Outputs[0];
        var unsqueeze = SoleConsumer(ctx, value) is { OpType: "Unsqueeze" } u && Claimable(ctx, u) && UnsqueezeAxes(ctx, u) is [1] or [-3] ? u : null;
        value = unsqueeze?.Outputs[0] ?? value;
        long[] swap = unsqueeze is null ? [0, 2, 1] : [0, 1, 3, 2];
        if (SoleConsumer(ctx, value) is not { OpType: "Transpose" } transpose || !Claimable(ctx, transpose) || transpose.Ints("perm") is not { } perm
            || !perm.SequenceEqual(swap))
        {
            return null;
        }

        return unsqueeze is null ? ([transpose], transpose.Outputs[0], [n, frames, m]) : ([unsqueeze, transpose], transpose.Outputs[0], [n, 1, frames, m]);
    }

    /// <summary>An Unsqueeze's axes where they are known while the Conv before it is emitted (an attribute, or a constant input already built).</summary>
    private static long[]? UnsqueezeAxes(BuildContext ctx, OnnxNode unsqueeze) =>
        ctx.Opset < 13 ? unsqueeze.Ints("axes")
        : unsqueeze.Inputs.Count > 1 && ctx.Has(unsqueeze.Inputs[1]) && ctx.Get(unsqueeze.Inputs[1]).Const?.Longs is { } axes && axes.All(a => a.IsConstant)
            ? axes.Select(a => a.Value).ToArray() : null;
}
