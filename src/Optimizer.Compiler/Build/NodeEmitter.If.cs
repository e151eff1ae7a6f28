using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Build;

internal static partial class NodeEmitter
{
    /// <summary>
    /// If. A condition known at compile time (constants, comparisons of sizes) inlines the taken
    /// branch. A condition computed at run time (silero's sample rate) compiles both branches:
    /// SkipUnless(condition) · then-branch · Skip · else-branch, each branch ending with copies of
    /// its results into the If's outputs, which must have the same type and shape in both. A size
    /// comparison inside such a branch becomes a CheckGuard step there, not a guard on every input.
    /// </summary>
    private static void EmitIf(BuildContext ctx, OnnxNode node)
    {
        var condition = ctx.Get(node.Inputs[0]);
        if (condition.Const is { } constant)
        {
            var branch = Branch(node, constant.IntegerValues("If's condition") is [not 0] ? "then_branch" : "else_branch");
            EmitBranch(ctx, branch);
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                var result = ctx.Get(branch.Outputs[i].Name);
                DefineAlias(ctx, node.Outputs[i], result, result.Shape);
            }

            return;
        }

        if (condition.Type != TensorElementType.Bool || condition.Count != 1)
        {
            throw new UnsupportedException("If's condition must be one bool");
        }

        var skipThen = ctx.Steps.Count;
        ctx.Emit(StepKind.SkipUnless, [Bytes(ctx, condition)], [0], []);
        var thenBranch = Branch(node, "then_branch");
        EmitRunTimeBranch(ctx, thenBranch);
        var outputs = new Val[node.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var result = ctx.Get(thenBranch.Outputs[i].Name);
            outputs[i] = ctx.NewValue(node.Outputs[i], result.Type, result.Shape);
            EmitCopy(ctx, result, outputs[i]);
        }

        var skipElse = ctx.Steps.Count;
        ctx.Emit(StepKind.Skip, [], [0], []);
        var elseBranch = Branch(node, "else_branch");
        EmitRunTimeBranch(ctx, elseBranch);
        for (var i = 0; i < outputs.Length; i++)
        {
            var result = ctx.Get(elseBranch.Outputs[i].Name);
            if (result.Type != outputs[i].Type || !result.Shape.Select(d => d.Size).SequenceEqual(outputs[i].Shape.Select(d => d.Size)))
            {
                throw new UnsupportedException($"If's branches give output {i} different types or shapes ({outputs[i].Shape.Format()} and {result.Shape.Format()})");
            }

            EmitCopy(ctx, result, outputs[i]);
        }

        SetSkip(ctx, skipThen, skipElse - skipThen);
        SetSkip(ctx, skipElse, ctx.Steps.Count - skipElse - 1);
    }

    private static OnnxGraph Branch(OnnxNode node, string name) =>
        node.FindAttribute(name)?.ReadSubgraphs().SingleOrDefault() ?? throw new UnsupportedException($"If without its {name}");

    /// <summary>A branch behind a control step: its size comparisons are checked when it runs (CheckGuard steps), not for every input.</summary>
    private static void EmitRunTimeBranch(BuildContext ctx, OnnxGraph branch)
    {
        ctx.EnterRunTimeBranch();
        EmitBranch(ctx, branch);
        ctx.ExitRunTimeBranch();
    }

    private static void EmitBranch(BuildContext ctx, OnnxGraph branch)
    {
        foreach (var initializer in branch.Initializers)
        {
            ctx.Define(new Val(initializer.Name, initializer.ElementType, Dims.Of(initializer.Dims)) { Const = ConstData.FromTensor(initializer) });
        }

        foreach (var inner in branch.GetTopologicalOrder())
        {
            Emit(ctx, inner);
        }
    }

    /// <summary>A copy of <paramref name="source"/> (run-time or constant) into <paramref name="target"/>.</summary>
    private static void EmitCopy(BuildContext ctx, Val source, Val target) =>
        ctx.Emit(StepKind.CopyStrided, [Bytes(ctx, source), Bytes(ctx, target)], [ElementTypes.Size(source.Type), 0, 1, .. Pad6([source.Count]), .. Pad6([1])], []);

    /// <summary>Sets how many steps the control step at <paramref name="index"/> skips.</summary>
    private static void SetSkip(BuildContext ctx, int index, int steps) => ctx.Steps[index] = ctx.Steps[index] with { Ints = [steps] };
}
