using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

// A Conv whose kernel covers its whole unpadded input (a keyword spotter's last layer, a CNN's classifier
// head written as a convolution) makes one output pixel per image: it is a fully connected layer. The Conv
// kernel makes the weights its A operand and pads that one pixel to a 16-column panel, 16 times the work
// (the wake-word embedding's last conv ran at 7.6 GFLOP/s). Here each image's input is a GEMM row as it lies
// in memory (NCHW flattens to c·h·w, the weights' own order), the weights are B packed transposed at
// compile time, and the product [n, m] is already the NCHW output [n, m, 1, 1].
internal static partial class NodeEmitter
{
    /// <summary>Whether a window is its whole unpadded, undilated input: one output pixel, each image's input one GEMM row.</summary>
    internal static bool CoversWholeInput(Window g) =>
        g.H.IsConstant && g.W.IsConstant && Is(g.KH, g.H.Value) && Is(g.KW, g.W.Value)
        && Is(g.PadTop, 0) && Is(g.PadLeft, 0) && Is(g.PadBottom, 0) && Is(g.PadRight, 0) && Is(g.DilH, 1) && Is(g.DilW, 1);

    /// <summary>
    /// A Conv whose kernel is its whole unpadded input as one Gemm (with the Conv's fused activation); false where the
    /// Conv is not of that form or folds an affine into its weights. Decided from the weights and attributes alone.
    /// </summary>
    private static bool TryEmitDenseConv(BuildContext ctx, OnnxNode node, Val x, Val w, Val? bias, long group, Window g, EpilogueChain epilogue, Dim[] shape)
    {
        if (group != 1 || !epilogue.Pre.IsIdentity || !CoversWholeInput(g) || !x.Shape[1].IsConstant || !w.Shape[0].IsConstant)
        {
            return false;
        }

        var (n, m, k) = (x.Shape[0], w.Shape[0], x.Shape[1] * g.H * g.W);
        // The weights [m, c, kh, kw] are Bᵀ ([n, k] rows): packed transposed, as a MatMul's constant B.
        var packed = PackedB(ctx, w, 1, k, m, true, node.Inputs[1]);
        var y = Out(ctx, epilogue.Output, shape);
        ctx.Emit(StepKind.Gemm, [ctx.Op(x), packed, bias is null ? BuildContext.Empty : ctx.Op(bias), ctx.Op(y)],
            [1, n, m, k, 0, 0, 0, (int)epilogue.Act], [1f, epilogue.P0, epilogue.P1]);
        return true;
    }
}
