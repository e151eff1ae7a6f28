using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>If whose condition is a compile-time constant: the taken branch's nodes are emitted in place.</summary>
    private static void EmitIf(BuildContext ctx, OnnxNode node)
    {
        var condition = ctx.Get(node.Inputs[0]).Const?.IntegerValues("If's condition") ?? throw new UnsupportedException("If whose condition is computed at run time");
        var branch = node.FindAttribute(condition is [not 0] ? "then_branch" : "else_branch")?.ReadSubgraphs().SingleOrDefault()
                     ?? throw new UnsupportedException("If without its branch");
        foreach (var initializer in branch.Initializers)
        {
            ctx.Define(new Val(initializer.Name, initializer.ElementType, Dims.Of(initializer.Dims)) { Const = ConstData.FromTensor(initializer) });
        }

        foreach (var inner in branch.GetTopologicalOrder())
        {
            Emit(ctx, inner);
        }

        for (var i = 0; i < node.Outputs.Count; i++)
        {
            var result = ctx.Get(branch.Outputs[i].Name);
            DefineAlias(ctx, node.Outputs[i], result, result.Shape);
        }
    }
}
