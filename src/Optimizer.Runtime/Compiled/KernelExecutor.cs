using System.Runtime.InteropServices;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// Runs a <see cref="KernelProgram"/>: the arena for a batch size is allocated once (64-byte
/// aligned) and reused, so calls at a stable batch size allocate nothing. Not thread-safe: use
/// one executor per thread.
/// </summary>
public sealed unsafe class KernelExecutor : IDisposable
{
    private readonly KernelProgram _program;
    private readonly int[][] _ints;
    private byte* _arena;
    private long _arenaCapacity;
    private int _batch = -1;

    /// <summary>Creates an executor for <paramref name="program"/> (which must outlive it).</summary>
    public KernelExecutor(KernelProgram program)
    {
        _program = program;
        _ints = program.Steps.Select(s => new int[s.Ints.Count]).ToArray();
    }

    /// <summary>The program this executor runs.</summary>
    public KernelProgram Program => _program;

    /// <summary>
    /// Runs the program for batch size <paramref name="batch"/> with inputs and outputs given
    /// by address (pinned by the caller, sized per <see cref="ProgramTensor.ElementCount"/>).
    /// </summary>
    public void Run(int batch, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (inputs.Length != _program.Inputs.Count || outputs.Length != _program.Outputs.Count)
        {
            throw new ArgumentException($"The program takes {_program.Inputs.Count} inputs and {_program.Outputs.Count} outputs.");
        }

        Prepare(batch);
        for (var s = 0; s < _ints.Length; s++)
        {
            Dispatch(_program.Steps[s], _ints[s], batch, inputs, outputs);
        }
    }

    /// <summary>Runs the program on arrays (float[], byte[], sbyte[] or int[] matching each tensor's element type), pinning them for the call.</summary>
    public void Run(int batch, IReadOnlyList<Array> inputs, IReadOnlyList<Array> outputs)
    {
        var handles = new GCHandle[inputs.Count + outputs.Count];
        Span<nint> addresses = stackalloc nint[handles.Length];
        try
        {
            for (var i = 0; i < handles.Length; i++)
            {
                var array = i < inputs.Count ? inputs[i] : outputs[i - inputs.Count];
                var tensor = i < inputs.Count ? _program.Inputs[i] : _program.Outputs[i - inputs.Count];
                if (array.Length < tensor.ElementCount(batch))
                {
                    throw new ArgumentException($"'{tensor.Name}' needs {tensor.ElementCount(batch)} elements at batch {batch}; the array has {array.Length}.");
                }

                handles[i] = GCHandle.Alloc(array, GCHandleType.Pinned);
                addresses[i] = handles[i].AddrOfPinnedObject();
            }

            Run(batch, addresses.Slice(0, inputs.Count), addresses.Slice(inputs.Count));
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
        if (_arena != null)
        {
            NativeMemory.AlignedFree(_arena);
            _arena = null;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the arena.</summary>
    ~KernelExecutor() => Dispose();

    private void Prepare(int batch)
    {
        if (batch == _batch)
        {
            return;
        }

        var bytes = Math.Max(64, _program.ArenaBytes.Eval(batch));
        if (bytes > _arenaCapacity)
        {
            if (_arena != null)
            {
                NativeMemory.AlignedFree(_arena);
            }

            _arena = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            _arenaCapacity = bytes;
        }

        for (var s = 0; s < _ints.Length; s++)
        {
            var step = _program.Steps[s];
            for (var i = 0; i < step.Ints.Count; i++)
            {
                _ints[s][i] = checked((int)step.Ints[i].Eval(batch));
            }
        }

        _batch = batch;
    }

    private void* Address(in Operand o, int batch, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        var offset = o.ByteOffset.Eval(batch);
        return o.Region switch
        {
            BufferRegion.Arena => _arena + offset,
            BufferRegion.Weights => _program.WeightsPointer + offset,
            BufferRegion.Input => (byte*)inputs[o.Index] + offset,
            _ => (byte*)outputs[o.Index] + offset,
        };
    }

    private Span<T> S<T>(ProgramStep step, int index, int batch, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
        where T : unmanaged
    {
        var o = step.Operands[index];
        return new Span<T>(Address(o, batch, inputs, outputs), checked((int)o.Length.Eval(batch)));
    }

    private void Dispatch(ProgramStep step, int[] a, int n, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        var f = step.Floats;
        switch (step.Kind)
        {
            case StepKind.Copy:
                Kernels.Copy(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0]);
                break;
            case StepKind.PackB:
                Kernels.PackB(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], a[2], a[3], a[4]);
                break;
            case StepKind.Gemm:
                Kernels.Gemm(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], f[0], f[1], f[2]);
                break;
            case StepKind.Conv:
                Kernels.Conv(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), S<float>(step, 4, n, inputs, outputs),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], f[0], f[1]);
                break;
            case StepKind.Pool:
                Kernels.Pool(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]);
                break;
            case StepKind.GlobalPool:
                Kernels.GlobalPool(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], a[2]);
                break;
            case StepKind.Unary:
                Kernels.Unary(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], f[0], f[1]);
                break;
            case StepKind.Binary:
                Kernels.Binary(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    a[0], a[1], a.AsSpan(2, 6), a.AsSpan(8, 6), a.AsSpan(14, 6));
                break;
            case StepKind.Transpose:
                Kernels.Transpose(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a.AsSpan(1, 6), a.AsSpan(7, 6));
                break;
            case StepKind.CopyBlocks:
                Kernels.CopyBlocks(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Softmax:
                Kernels.Softmax(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Quantize:
                Kernels.Quantize(S<float>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Dequantize:
                Kernels.Dequantize(S<byte>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.QGemm:
                Kernels.QGemm(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<int>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), S<byte>(step, 4, n, inputs, outputs), a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
                break;
            case StepKind.QConv:
                Kernels.QConv(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<int>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), S<byte>(step, 4, n, inputs, outputs), S<byte>(step, 5, n, inputs, outputs),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18]);
                break;
            case StepKind.DynamicQuantize:
                Kernels.DynamicQuantize(S<float>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<byte>(step, 3, n, inputs, outputs), a[0]);
                break;
            case StepKind.MatMulInteger:
                Kernels.MatMulInteger(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<int>(step, 2, n, inputs, outputs),
                    S<byte>(step, 3, n, inputs, outputs), S<byte>(step, 4, n, inputs, outputs), S<int>(step, 5, n, inputs, outputs), a[0], a[1], a[2], a[3], a[4]);
                break;
            case StepKind.MaxPoolU8:
                Kernels.MaxPoolU8(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs),
                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
                break;
            case StepKind.Reduce:
                Kernels.Reduce(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Activation:
                Kernels.Activation(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], f[0], f[1]);
                break;
            case StepKind.PRelu:
                Kernels.PRelu(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    a[0], a.AsSpan(1, 6), a.AsSpan(7, 6), a.AsSpan(13, 6));
                break;
            case StepKind.LayerNorm:
                Kernels.LayerNorm(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), S<float>(step, 4, n, inputs, outputs), S<float>(step, 5, n, inputs, outputs), a[0], a[1], f[0]);
                break;
            case StepKind.CopyStrided:
                Kernels.CopyStrided(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), a[0], a[1], a[2], a.AsSpan(3, 6), a.AsSpan(9, 6));
                break;
            case StepKind.Compare:
                Kernels.Compare(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<byte>(step, 2, n, inputs, outputs),
                    a[0], a[1], a[2], a.AsSpan(3, 6), a.AsSpan(9, 6), a.AsSpan(15, 6));
                break;
            case StepKind.Logical:
                Kernels.Logical(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<byte>(step, 2, n, inputs, outputs),
                    a[0], a[1], a.AsSpan(2, 6), a.AsSpan(8, 6), a.AsSpan(14, 6));
                break;
            case StepKind.Where:
                Kernels.Where(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<byte>(step, 2, n, inputs, outputs),
                    S<byte>(step, 3, n, inputs, outputs), a[0], a[1], a.AsSpan(2, 6), a.AsSpan(8, 6), a.AsSpan(14, 6), a.AsSpan(20, 6));
                break;
            case StepKind.Cast:
                Kernels.Cast(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), a[0], a[1], a[2]);
                break;
            case StepKind.Gather:
                Kernels.Gather(S<byte>(step, 0, n, inputs, outputs), S<byte>(step, 1, n, inputs, outputs), S<byte>(step, 2, n, inputs, outputs),
                    a[0], a[1], a[2], a[3]);
                break;
            case StepKind.Pad:
                Kernels.Pad(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), a[0], a[1], a.AsSpan(2, 6), a.AsSpan(8, 6), a.AsSpan(14, 6), f[0]);
                break;
            case StepKind.Resize:
                Kernels.Resize(S<float>(step, 0, n, inputs, outputs), S<int>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<int>(step, 3, n, inputs, outputs), S<float>(step, 4, n, inputs, outputs), S<float>(step, 5, n, inputs, outputs),
                    a[0], a[1], a[2], a[3], a[4], a[5]);
                break;
            case StepKind.ConvTranspose:
                Kernels.ConvTranspose(S<float>(step, 0, n, inputs, outputs), S<float>(step, 1, n, inputs, outputs), S<float>(step, 2, n, inputs, outputs),
                    S<float>(step, 3, n, inputs, outputs), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
                break;
            default:
                throw new InvalidDataException($"Step kind {step.Kind} is not known to this runtime. Rebuild with a matching Optimizer.Build.");
        }
    }
}
