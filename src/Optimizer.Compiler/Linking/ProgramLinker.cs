using Optimizer.Compiler.Build;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Linking;

/// <summary>
/// Merges concrete builds (batch 2, 3 and 4, or one build without a symbolic dimension) into a
/// program whose sizes and arguments are linear in the batch, places arena storages by
/// liveness and lays the weights out 64-byte aligned.
/// </summary>
internal static class ProgramLinker
{
    public static KernelProgram Link(OnnxModel model, string? symbol, IReadOnlyList<(BuildContext Context, Val[] Outputs)> builds)
    {
        var first = builds[0].Context;
        foreach (var (other, _) in builds.Skip(1))
        {
            CheckSameStructure(first, other);
        }

        Lin Solve(Func<BuildContext, Val[], long> value) => Linear(builds.Select(b => value(b.Context, b.Outputs)).ToArray());

        var storageSizes = first.Storages.Select((_, i) => Solve((c, _) => c.Storages[i].Bytes)).ToArray();
        var (storageBase, arena) = PlanArena(first.Storages, storageSizes);
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
                    operands[o] = new Operand(BufferRegion.Weights, 0, Lin.Of(0), Lin.Of(0));
                    continue;
                }

                var offset = Solve((c, _) => c.Steps[s].Operands[o].ByteOffset);
                var length = Solve((c, _) => c.Steps[s].Operands[o].Length);
                var storage = raw.Storage;
                operands[o] = storage.Kind switch
                {
                    StorageKind.Arena => new Operand(BufferRegion.Arena, 0, Add(storageBase[storage.Id], offset), length),
                    StorageKind.Weights => new Operand(BufferRegion.Weights, 0, Add(Lin.Of(weightOffsets[storage.Index]), offset), length),
                    StorageKind.Input => new Operand(BufferRegion.Input, storage.Index, offset, length),
                    _ => new Operand(BufferRegion.Output, storage.Index, offset, length),
                };
            }

            var ints = step.Ints.Select((_, i) => Solve((c, _) => c.Steps[s].Ints[i])).ToArray();
            steps.Add(new ProgramStep(step.Kind, operands, ints, step.Floats, step.Node));
        }

        var inputs = model.Graph.Inputs.Select(i => new ProgramTensor(i.Name, ElementType(i.Type!.ElementType),
            i.Type.Shape!.Select(d => d.Size is { } size ? Lin.Of(size) : new Lin(1, 0)).ToArray())).ToArray();
        var outputs = model.Graph.Outputs.Select((o, k) => new ProgramTensor(o.Name, ElementType(builds[0].Outputs[k].Type),
            builds[0].Outputs[k].Shape.Select((_, d) => Solve((_, outs) => outs[k].Shape[d])).ToArray())).ToArray();
        return new KernelProgram(inputs, outputs, arena, steps, weights.ToArray());
    }

    private static KernelElementType ElementType(TensorElementType type) => ElementTypes.Kernel(type);

    private static Lin Add(Lin a, Lin b) => new(a.PerBatch + b.PerBatch, a.Constant + b.Constant);

    private static long Align(long bytes) => (bytes + 63) / 64 * 64;

    /// <summary>v(b) for b = 2, 3 (4 checks) → a·n + c; or a constant for one build.</summary>
    private static Lin Linear(long[] values)
    {
        if (values.Length == 1)
        {
            return Lin.Of(values[0]);
        }

        var a = values[1] - values[0];
        var c = values[0] - 2 * a;
        for (var i = 2; i < values.Length; i++)
        {
            if (a * (i + 2) + c != values[i])
            {
                throw new UnsupportedException("a size or argument is not linear in the batch dimension");
            }
        }

        return new Lin(a, c);
    }

    /// <summary>
    /// Places arena storages: batch-independent ones in a constant block at the start, the rest
    /// in per-batch units (a multiple of 64 bytes per batch item) after it; storages whose step
    /// ranges overlap never share bytes.
    /// </summary>
    private static (Lin[] Base, Lin Arena) PlanArena(List<Storage> storages, Lin[] sizes)
    {
        var bases = new Lin[storages.Count];
        var arena = storages.Where(s => s.Kind == StorageKind.Arena && s.LastStep >= 0).ToList();
        var constant = arena.Where(s => sizes[s.Id].PerBatch == 0).ToList();
        var perBatch = arena.Where(s => sizes[s.Id].PerBatch != 0).ToList();
        var constantTotal = Place(constant, s => Align(sizes[s.Id].Constant), (s, offset) => bases[s.Id] = Lin.Of(offset));
        var perBatchTotal = Place(perBatch, s => Align(sizes[s.Id].PerBatch + Math.Max(0, sizes[s.Id].Constant)),
            (s, offset) => bases[s.Id] = new Lin(offset, constantTotal));
        return (bases, new Lin(perBatchTotal, constantTotal));
    }

    private static long Place(List<Storage> storages, Func<Storage, long> size, Action<Storage, long> assign)
    {
        // Storages come in order of first use, so one whose last use is before the current one's
        // first can never overlap a later one either: dropping it keeps the walk linear in the
        // number of storages alive at once instead of all placed so far.
        var placed = new List<(Storage Storage, long Offset, long Size)>();
        long total = 0;
        foreach (var s in storages.OrderBy(s => s.FirstStep).ThenBy(s => s.Id))
        {
            var bytes = Math.Max(64, size(s));
            placed.RemoveAll(p => p.Storage.LastStep < s.FirstStep);
            var live = placed.Where(p => p.Storage.FirstStep <= s.LastStep).OrderBy(p => p.Offset).ToList();
            long offset = 0;
            foreach (var p in live)
            {
                if (offset + bytes <= p.Offset)
                {
                    break;
                }

                offset = Math.Max(offset, p.Offset + p.Size);
            }

            placed.Add((s, offset, bytes));
            assign(s, offset);
            total = Math.Max(total, offset + bytes);
        }

        return total;
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
