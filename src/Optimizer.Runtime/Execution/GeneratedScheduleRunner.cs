using System.Runtime.InteropServices;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// Runs a <see cref="GeneratedSchedule"/> over a program's weights: the arena for a batch size is
/// allocated once (64-byte aligned, as <see cref="KernelExecutor"/> does) and reused, so calls at
/// a stable batch size allocate nothing. Not thread-safe: one runner per concurrent call.
/// </summary>
internal sealed unsafe class GeneratedScheduleRunner : IDisposable
{
    private readonly KernelProgram _program;
    private readonly GeneratedSchedule _schedule;
    private readonly int[] _inputBytes;
    private readonly int[] _outputBytes;
    private byte* _arena;
    private long _arenaCapacity;
    private int _arenaBytes;
    private int _batch = -1;

    public GeneratedScheduleRunner(KernelProgram program, GeneratedSchedule schedule)
    {
        _program = program;
        _schedule = schedule;
        _inputBytes = new int[program.Inputs.Count];
        _outputBytes = new int[program.Outputs.Count];
    }

    public void Run(int batch, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        Prepare(batch);
        _schedule.Run(batch, new KernelBuffers(new Span<byte>(_arena, _arenaBytes), _program.Weights, inputs, _inputBytes, outputs, _outputBytes));
    }

    public void Dispose()
    {
        if (_arena != null)
        {
            NativeMemory.AlignedFree(_arena);
            _arena = null;
        }

        GC.SuppressFinalize(this);
    }

    ~GeneratedScheduleRunner() => Dispose();

    private void Prepare(int batch)
    {
        if (batch == _batch)
        {
            return;
        }

        long bytes = Math.Max(64, _program.ArenaBytes.Eval(batch));
        if (bytes > _arenaCapacity)
        {
            if (_arena != null)
            {
                NativeMemory.AlignedFree(_arena);
            }

            _arena = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            _arenaCapacity = bytes;
        }

        _arenaBytes = checked((int)bytes);
        for (int i = 0; i < _inputBytes.Length; i++)
        {
            _inputBytes[i] = checked((int)(_program.Inputs[i].ElementCount(batch) * ElementSize(_program.Inputs[i].ElementType)));
        }

        for (int i = 0; i < _outputBytes.Length; i++)
        {
            _outputBytes[i] = checked((int)(_program.Outputs[i].ElementCount(batch) * ElementSize(_program.Outputs[i].ElementType)));
        }

        _batch = batch;
    }

    private static int ElementSize(KernelElementType type) => type switch
    {
        KernelElementType.Float32 or KernelElementType.Int32 => 4,
        KernelElementType.Int64 => 8,
        _ => 1,
    };
}
