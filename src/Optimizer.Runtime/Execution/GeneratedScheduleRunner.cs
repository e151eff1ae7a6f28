using System.Runtime.InteropServices;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Runtime;

/// <summary>
/// Runs a <see cref="GeneratedSchedule"/> over a program's weights: the layout and arena for an
/// input shape are computed once (64-byte aligned, as <see cref="KernelExecutor"/> does) and
/// reused, so calls at a stable shape allocate nothing. Not thread-safe: one runner per concurrent call.
/// </summary>
internal sealed unsafe class GeneratedScheduleRunner : IDisposable
{
    private readonly KernelProgram _program;
    private readonly GeneratedSchedule _schedule;
    private readonly ShapeState _state;
    private readonly int[] _inputBytes;
    private readonly int[] _outputBytes;

    public GeneratedScheduleRunner(KernelProgram program, GeneratedSchedule schedule)
    {
        _program = program;
        _schedule = schedule;
        _state = new ShapeState(program);
        _inputBytes = new int[program.Inputs.Count];
        _outputBytes = new int[program.Outputs.Count];
    }

    public void Run(ReadOnlySpan<long> symbols, ReadOnlySpan<nint> inputs, ReadOnlySpan<nint> outputs)
    {
        ProgramLayout? previous = _state.Layout;
        ProgramLayout layout = _state.Prepare(symbols);
        if (!ReferenceEquals(layout, previous))
        {
            for (int i = 0; i < _inputBytes.Length; i++)
            {
                _inputBytes[i] = checked((int)(_program.Inputs[i].ElementCount(symbols) * ElementSize(_program.Inputs[i].ElementType)));
            }

            for (int i = 0; i < _outputBytes.Length; i++)
            {
                _outputBytes[i] = checked((int)(_program.Outputs[i].ElementCount(symbols) * ElementSize(_program.Outputs[i].ElementType)));
            }
        }

        _schedule.Run(layout.Slots, new KernelBuffers(new Span<byte>(_state.Arena, checked((int)layout.ArenaBytes)), _program.Weights, inputs, _inputBytes, outputs, _outputBytes));
    }

    public void Dispose()
    {
        _state.Dispose();
        GC.SuppressFinalize(this);
    }

    ~GeneratedScheduleRunner() => _state.Dispose();

    private static int ElementSize(KernelElementType type) => type switch
    {
        KernelElementType.Float32 or KernelElementType.Int32 => 4,
        KernelElementType.Int64 => 8,
        _ => 1,
    };
}
