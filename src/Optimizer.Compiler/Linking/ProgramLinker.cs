using Optimizer.Compiler.Build;
using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Linking;

/// <summary>
/// Merges the builds at several bindings of the symbolic dimensions into one program: every
/// size and argument must be the same expression in all builds (else the schedule depends on the
/// binding in a way the traced sizes do not capture, and the model is refused); places arena
/// storages by liveness and lays the weights out 64-byte aligned, noting which are the model's
/// initializers (<see cref="InitializerReferences"/>) so the stored program need not repeat them.
/// </summary>
internal static class ProgramLinker
{
    public static KernelProgram Link(OnnxModel model, IReadOnlyList<SymbolBinding> bindings, IReadOnlyList<(BuildContext Context, Val[] Outputs)> builds)
    {
        var first = builds[0].Context;
        foreach (var (other, _) in builds.Skip(1))
        {
            CheckSameStructure(first, other);
        }

        SizeExpression Solve(Func<BuildContext, Val[], Dim> value) => SizeCode.Of(Agreed(bindings, builds.Select(b => value(b.Context, b.Outputs)).ToArray()));

        // Arena storages in order of first use; the runtime places them per input shape.
        var arenaIndex = new Dictionary<int, int>();
        var arena = new List<ArenaStorage>();
        foreach (var storage in first.Storages.Where(s => s.Kind == StorageKind.Arena && s.LastStep >= 0).OrderBy(s => s.FirstStep).ThenBy(s => s.Id))
        {
            arenaIndex[storage.Id] = arena.Count;
            arena.Add(new ArenaStorage(Solve((c, _) => c.Storages[storage.Id].Bytes), storage.FirstStep, storage.LastStep));
        }

        var weightOffsets = new long[first.Weights.Count];
        using var weights = new MemoryStream();
        for (var i = 0; i < first.Weights.Count; i++)
        {
            weights.SetLength(Align(weights.Length));
            weights.Position = weights.Length;
            weightOffsets[i] = weights.Length;
            weights.Write(first.Weights[i]);
        }

        var steps = new List<ProgramStep>();
        for (var s = 0; s < first.Steps.Count; s++)
        {
            var step = first.Steps[s];
            var operands = new Operand[step.Operands.Length];
            for (var o = 0; o < operands.Length; o++)
            {
                var raw = step.Operands[o];
                if (raw.Storage is null)
                {
                    operands[o] = Operand.Empty;
                    continue;
                }

                var offset = Agreed(bindings, builds.Select(b => b.Context.Steps[s].Operands[o].ByteOffset).ToArray());
                var length = Solve((c, _) => c.Steps[s].Operands[o].Length);
                var storage = raw.Storage;
                operands[o] = storage.Kind switch
                {
                    StorageKind.Arena => new Operand(BufferRegion.Arena, arenaIndex[storage.Id], SizeCode.Of(offset), length),
                    StorageKind.Weights => new Operand(BufferRegion.Weights, 0, SizeCode.Of(offset + SymbolicSize.Of(weightOffsets[storage.Index])), length),
                    StorageKind.Input => new Operand(BufferRegion.Input, storage.Index, SizeCode.Of(offset), length),
                    _ => new Operand(BufferRegion.Output, storage.Index, SizeCode.Of(offset), length),
                };
            }

            var ints = step.Ints.Select((_, i) => Solve((c, _) => c.Steps[s].Ints[i])).ToArray();
            steps.Add(new ProgramStep(step.Kind, operands, ints, step.Floats, step.Node));
        }

        var symbols = bindings[0].Names;
        var inputs = model.Graph.Inputs.Select(i => new ProgramTensor(i.Name, ElementType(i.Type!.ElementType),
            i.Type.Shape!.Select(d => d.Size is { } size ? SizeExpression.Of(size) : SizeExpression.Symbol(bindings[0].IndexOf(d.Symbol!))).ToArray())).ToArray();
        var outputs = model.Graph.Outputs.Select((o, k) => new ProgramTensor(o.Name, ElementType(builds[0].Outputs[k].Type),
            builds[0].Outputs[k].Shape.Select((_, d) => Solve((_, outs) => outs[k].Shape[d])).ToArray())).ToArray();
        if (builds.Any(b => b.Context.Guards.Count != first.Guards.Count
                            || b.Context.Guards.Zip(first.Guards).Any(p => p.First.AllowedSigns != p.Second.AllowedSigns)))
        {
            throw new UnsupportedException("the model compares its symbolic dimensions with different outcomes at different sizes; the compiled kernels need one schedule");
        }

        var guards = first.Guards.Select((g, i) => new ShapeGuard(SizeCode.Of(Agreed(bindings, builds.Select(b => b.Context.Guards[i].Difference).ToArray())), g.AllowedSigns))
            .Distinct().ToArray();
        var references = InitializerReferences.Find(model, first.Weights)
            .Select((r, i) => r is null ? null : r with { Offset = weightOffsets[i] })
            .OfType<WeightReference>().OrderBy(r => r.Offset).ToArray();
        return new KernelProgram(symbols, inputs, outputs, arena, steps, weights.ToArray(), guards, references);
    }

    private static KernelElementType ElementType(TensorElementType type) => ElementTypes.Kernel(type);

    private static long Align(long bytes) => (bytes + 63) / 64 * 64;

    /// <summary>The one expression all builds computed for a size (each evaluating to its build's value), or why not.</summary>
    private static SymbolicSize Agreed(IReadOnlyList<SymbolBinding> bindings, Dim[] values)
    {
        var size = values[0].Size;
        for (var i = 0; i < values.Length; i++)
        {
            if (!values[i].Size.Equals(size) || size.Evaluate(bindings[i].Values) != values[i].Value)
            {
                throw new UnsupportedException($"a size is {values[0]} at {bindings[0]} but {values[i]} at {bindings[i]}: "
                                               + "the schedule depends on the symbolic dimensions in a way the compiler does not track");
            }
        }

        return size;
    }

    private static void CheckSameStructure(BuildContext a, BuildContext b)
    {
        var same = a.Steps.Count == b.Steps.Count && a.Storages.Count == b.Storages.Count && a.Weights.Count == b.Weights.Count
                   && a.Steps.Zip(b.Steps).All(p => p.First.Kind == p.Second.Kind && p.First.Operands.Length == p.Second.Operands.Length
                                                     && p.First.Ints.Length == p.Second.Ints.Length && p.First.Floats.SequenceEqual(p.Second.Floats)
                                                     && p.First.Operands.Zip(p.Second.Operands).All(o => o.First.Storage?.Id == o.Second.Storage?.Id))
                   && a.Storages.Zip(b.Storages).All(p => p.First.Kind == p.Second.Kind && p.First.Index == p.Second.Index
                                                           && p.First.FirstStep == p.Second.FirstStep && p.First.LastStep == p.Second.LastStep)
                   && a.Weights.Zip(b.Weights).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        if (!same)
        {
            throw new UnsupportedException("the schedule depends on the batch size (the graph is not batch-uniform)");
        }
    }
}
