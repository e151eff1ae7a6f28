using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// Runs a <see cref="KernelProgram"/>: the layout and arena for an input shape are computed once
/// (<see cref="ProgramLayout"/>, 64-byte aligned arena) and reused, so calls at a stable shape
/// allocate nothing. Not thread-safe: use one executor per thread.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed unsafe class KernelExecutor : IDisposable
{
    private readonly KernelProgram _program;
    private readonly ShapeState _state;

    /// <summary>Creates an executor for <paramref name="program"/> (which must outlive it).</summary>
    public KernelExecutor(KernelProgram program)
    {
        _program = program;
        _state = new ShapeState(program);
    }

    /// <summary>The program this executor runs.</summary>
    public KernelProgram Program => _program;

    /// <summary>
    /// Runs the program for the symbolic dimensions' values <paramref name="symbols"/> (see
    /// <see cref="ProgramLayout.Bind"/>) with inputs and outputs given by address (pinned by the
    /// caller, sized per <see cref="ProgramTensor.ElementCount"/>).
    /// </summary>
    public void Run(ReadOnlySpan<long> symbols, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs) =>
        Run(symbols, inputs, outputs, default);

    /// <summary>
    /// Runs the program as <see cref="Run(ReadOnlySpan{long}, ReadOnlySpan{nint}, ReadOnlySpan{nint})"/>
    /// and adds each step's <see cref="System.Diagnostics.Stopwatch"/> ticks to <paramref name="stepTicks"/>
    /// (one per step of <see cref="KernelProgram.Steps"/>; empty to time nothing), for profiles.
    /// </summary>
    public void Run(ReadOnlySpan<long> symbols, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs, Span<long> stepTicks)
    {
        var profiled = !stepTicks.IsEmpty;
        if (profiled && stepTicks.Length != _program.Steps.Count)
        {
            throw new ArgumentException($"The program has {_program.Steps.Count} steps; {stepTicks.Length} tick counters were given.", nameof(stepTicks));
        }

        if (inputs.Length != _program.Inputs.Count || outputs.Length != _program.Outputs.Count)
        {
            throw new ArgumentException($"The program takes {_program.Inputs.Count} inputs and {_program.Outputs.Count} outputs.");
        }

        var layout = _state.Prepare(symbols);
        var slots = layout.Slots;
        for (var s = 0; s < _program.Steps.Count; s++)
        {
            var step = _program.Steps[s];
            var stepSlots = new StepSlots(this, slots.AsSpan(layout.StepStarts[s], ProgramLayout.SlotCount(step)), step.Operands.Count, inputs, outputs);
            if (Kernels.IsControl(step.Kind))
            {
                var skip = step.Kind == StepKind.Skip ? Kernels.Skip(stepSlots.Ints[0]) : Kernels.SkipUnless(stepSlots.S<byte>(step, 0), stepSlots.Ints[0]);
                s += skip ? stepSlots.Ints[0] : 0;
                continue;
            }

            if (profiled)
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                Dispatch(step, stepSlots);
                stepTicks[s] += System.Diagnostics.Stopwatch.GetTimestamp() - start;
            }
            else
            {
                Dispatch(step, stepSlots);
            }
        }
    }

    /// <summary>Runs the program on arrays (float[], byte[], sbyte[] or int[] matching each tensor's element type) of the given input shapes, pinning them for the call.</summary>
    public void Run(IReadOnlyList<int[]> inputShapes, IReadOnlyList<Array> inputs, IReadOnlyList<Array> outputs)
    {
        var symbols = ProgramLayout.Bind(_program, inputShapes);
        var handles = new GCHandle[inputs.Count + outputs.Count];
        Span<nint> addresses = stackalloc nint[handles.Length];
        try
        {
            for (var i = 0; i < handles.Length; i++)
            {
                var array = i < inputs.Count ? inputs[i] : outputs[i - inputs.Count];
                var tensor = i < inputs.Count ? _program.Inputs[i] : _program.Outputs[i - inputs.Count];
                if (array.Length < tensor.ElementCount(symbols))
                {
                    throw new ArgumentException($"'{tensor.Name}' needs {tensor.ElementCount(symbols)} elements at this shape; the array has {array.Length}.");
                }

                handles[i] = GCHandle.Alloc(array, GCHandleType.Pinned);
                addresses[i] = handles[i].AddrOfPinnedObject();
            }

            Run(symbols, addresses.Slice(0, inputs.Count), addresses.Slice(inputs.Count));
        }
        finally
        {
            foreach (var h in handles)
            {
                if (h.IsAllocated)
                {
                    h.Free();
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _state.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the arena.</summary>
    ~KernelExecutor() => _state.Dispose();

    /// <summary>One step's slots: its operands as spans, and its integer arguments.</summary>
    private readonly ref struct StepSlots(KernelExecutor executor, ReadOnlySpan<int> slots, int operands, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        private readonly ReadOnlySpan<int> _slots = slots;
        private readonly ReadOnlySpan<nint> _inputs = inputs;
        private readonly ReadOnlySpan<nint> _outputs = outputs;

        /// <summary>The integer arguments.</summary>
        public ReadOnlySpan<int> Ints => _slots.Slice(2 * operands);

        public Span<T> S<T>(ProgramStep step, int index)
            where T : unmanaged
        {
            var o = step.Operands[index];
            var offset = _slots[2 * index];
            var region = o.Region switch
            {
                BufferRegion.Arena => executor._state.Arena,
                BufferRegion.Weights => executor._program.WeightsPointer,
                BufferRegion.Input => (byte*)_inputs[o.Index],
                _ => (byte*)_outputs[o.Index],
            };
            return new Span<T>(region + offset, _slots[2 * index + 1]);
        }
    }

    private static void Dispatch(ProgramStep step, StepSlots slots)
    {
        var f = step.Floats;
        var a = slots.Ints;
        switch (step.Kind)
        {
            case StepKind.Copy:
                Kernels.Copy(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0]);
                break;
            case StepKind.PackB:
                Kernels.PackB(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a[2], a[3], a[4]);
                break;
            case StepKind.Gemm:
                Kernels.Gemm(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    slots.S<float>(step, 3), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], f[0], f[1], f[2]);
                break;
            case StepKind.Conv:
                Kernels.Conv(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    slots.S<float>(step, 3), slots.S<float>(step, 4),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], f[0], f[1]);
                break;
            case StepKind.Pool:
                Kernels.Pool(slots.S<float>(step, 0), slots.S<float>(step, 1),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]);
                break;
            case StepKind.GlobalPool:
                Kernels.GlobalPool(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a[2]);
                break;
            case StepKind.Unary:
                Kernels.Unary(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], f[0], f[1]);
                break;
            case StepKind.Binary:
                Kernels.Binary(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    a[0], a[1], a.Slice(2, 6), a.Slice(8, 6), a.Slice(14, 6));
                break;
            case StepKind.Transpose:
                Kernels.Transpose(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a.Slice(1, 6), a.Slice(7, 6));
                break;
            case StepKind.CopyBlocks:
                Kernels.CopyBlocks(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Softmax:
                Kernels.Softmax(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Quantize:
                Kernels.Quantize(slots.S<float>(step, 0), slots.S<byte>(step, 1), slots.S<float>(step, 2),
                    slots.S<float>(step, 3), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Dequantize:
                Kernels.Dequantize(slots.S<byte>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    slots.S<float>(step, 3), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.QGemm:
                Kernels.QGemm(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<int>(step, 2),
                    slots.S<float>(step, 3), slots.S<byte>(step, 4), a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
                break;
            case StepKind.QConv:
                // The batched path's weights and tables (operands 6, 7) are absent from programs compiled before them: those run per image.
                Kernels.QConv(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<int>(step, 2),
                    slots.S<float>(step, 3), slots.S<byte>(step, 4), slots.S<byte>(step, 5),
                    step.Operands.Count > 7 ? slots.S<byte>(step, 6) : default, step.Operands.Count > 7 ? slots.S<byte>(step, 7) : default,
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18]);
                break;
            case StepKind.QConvDepthwise:
                Kernels.QConvDepthwise(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<int>(step, 2),
                    slots.S<float>(step, 3), slots.S<byte>(step, 4), slots.S<byte>(step, 5),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
                break;
            case StepKind.DynamicQuantize:
                Kernels.DynamicQuantize(slots.S<float>(step, 0), slots.S<byte>(step, 1), slots.S<float>(step, 2),
                    slots.S<byte>(step, 3), a[0]);
                break;
            case StepKind.MatMulInteger:
                Kernels.MatMulInteger(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<int>(step, 2),
                    slots.S<byte>(step, 3), slots.S<byte>(step, 4), slots.S<int>(step, 5), a[0], a[1], a[2], a[3], a[4]);
                break;
            case StepKind.MaxPoolU8:
                Kernels.MaxPoolU8(slots.S<byte>(step, 0), slots.S<byte>(step, 1),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
                break;
            case StepKind.QLinearBinary:
                Kernels.QLinearBinary(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<byte>(step, 2),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], f[0], f[1], f[2]);
                break;
            case StepKind.QLinearGlobalAveragePool:
                Kernels.QLinearGlobalAveragePool(slots.S<byte>(step, 0), slots.S<byte>(step, 1), a[0], a[1], a[2], a[3], a[4], f[0], f[1]);
                break;
            case StepKind.LookupU8:
                Kernels.LookupU8(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<byte>(step, 2), a[0]);
                break;
            case StepKind.Reduce:
                Kernels.Reduce(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Activation:
                Kernels.Activation(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], f[0], f[1]);
                break;
            case StepKind.AffineActivation:
                Kernels.AffineActivation(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2), slots.S<float>(step, 3),
                    a[0], a[1], a[2], a[3], f[0], f[1]);
                break;
            case StepKind.PRelu:
                Kernels.PRelu(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    a[0], a.Slice(1, 6), a.Slice(7, 6), a.Slice(13, 6));
                break;
            case StepKind.LayerNorm:
                Kernels.LayerNorm(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    slots.S<float>(step, 3), slots.S<float>(step, 4), slots.S<float>(step, 5), a[0], a[1], f[0]);
                break;
            case StepKind.GemmHeads:
                Kernels.GemmHeads(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2), slots.S<float>(step, 3), slots.S<float>(step, 4), a, f[0]);
                break;
            case StepKind.CopyStrided:
                Kernels.CopyStrided(slots.S<byte>(step, 0), slots.S<byte>(step, 1), a[0], a[1], a[2], a.Slice(3, 6), a.Slice(9, 6));
                break;
            case StepKind.Compare:
                Kernels.Compare(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<byte>(step, 2),
                    a[0], a[1], a[2], a.Slice(3, 6), a.Slice(9, 6), a.Slice(15, 6));
                break;
            case StepKind.Logical:
                Kernels.Logical(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<byte>(step, 2),
                    a[0], a[1], a.Slice(2, 6), a.Slice(8, 6), a.Slice(14, 6));
                break;
            case StepKind.Where:
                Kernels.Where(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<byte>(step, 2),
                    slots.S<byte>(step, 3), a[0], a[1], a.Slice(2, 6), a.Slice(8, 6), a.Slice(14, 6), a.Slice(20, 6));
                break;
            case StepKind.Cast:
                Kernels.Cast(slots.S<byte>(step, 0), slots.S<byte>(step, 1), a[0], a[1], a[2]);
                break;
            case StepKind.Gather:
                Kernels.Gather(slots.S<byte>(step, 0), slots.S<byte>(step, 1), slots.S<byte>(step, 2),
                    a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Pad:
                Kernels.Pad(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a.Slice(2, 6), a.Slice(8, 6), a.Slice(14, 6), f[0]);
                break;
            case StepKind.Resize:
                Kernels.Resize(slots.S<float>(step, 0), slots.S<int>(step, 1), slots.S<float>(step, 2),
                    slots.S<int>(step, 3), slots.S<float>(step, 4), slots.S<float>(step, 5),
                    a[0], a[1], a[2], a[3], a[4], a[5]);
                break;
            case StepKind.Upsample:
                Kernels.Upsample(slots.S<float>(step, 0), slots.S<float>(step, 1), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.ConvTranspose:
                Kernels.ConvTranspose(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2),
                    slots.S<float>(step, 3), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
                break;
            case StepKind.CheckGuard:
                Kernels.CheckGuard(a[0], a[1]);
                break;
            case StepKind.Lstm:
                Kernels.Lstm(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2), slots.S<float>(step, 3), slots.S<float>(step, 4),
                    slots.S<float>(step, 5), slots.S<float>(step, 6), slots.S<float>(step, 7), slots.S<float>(step, 8),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], f[0]);
                break;
            case StepKind.Gru:
                Kernels.Gru(slots.S<float>(step, 0), slots.S<float>(step, 1), slots.S<float>(step, 2), slots.S<float>(step, 3), slots.S<float>(step, 4),
                    slots.S<float>(step, 5), slots.S<float>(step, 6), slots.S<float>(step, 7),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], f[0]);
                break;
            default:
                throw new InvalidDataException($"Step kind {step.Kind} is not known to this runtime. Rebuild with a matching Optimizer.Build.");
        }
    }
}
