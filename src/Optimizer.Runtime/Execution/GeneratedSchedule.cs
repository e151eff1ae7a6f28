namespace Optimizer.Runtime;

/// <summary>
/// One call of a generated kernel schedule: the program's steps as straight
/// <see cref="Compiled.Kernels"/> calls over <paramref name="buffers"/>, with the sizes that depend
/// on the input shape read from <paramref name="slots"/>.
/// </summary>
/// <param name="slots">The program's values for this input shape (<see cref="Compiled.ProgramLayout.Slots"/>).</param>
/// <param name="buffers">The arena, the weights and the caller's inputs and outputs, as bytes.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public delegate void KernelScheduleMethod(ReadOnlySpan<int> slots, KernelBuffers buffers);

/// <summary>
/// The compiled kernel program of a model, emitted by the source generator as C# (one kernel call
/// per step). The runtime runs it in place of the interpreter (<see cref="Compiled.KernelExecutor"/>)
/// when it was generated from the program embedded beside the model: the same kernels with the
/// same arguments, so the same bits, without decoding the steps on every call.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class GeneratedSchedule
{
    /// <summary>Wraps the generated method.</summary>
    /// <param name="stepCount">The number of steps of the program it was generated from.</param>
    /// <param name="programSize">The size in bytes of that program (its embedded resource).</param>
    /// <param name="run">The generated method.</param>
    public GeneratedSchedule(int stepCount, long programSize, KernelScheduleMethod run)
    {
        StepCount = stepCount;
        ProgramSize = programSize;
        Run = run ?? throw new ArgumentNullException(nameof(run));
    }

    /// <summary>The number of steps of the program the schedule was generated from.</summary>
    public int StepCount { get; }

    /// <summary>The size in bytes of the program the schedule was generated from.</summary>
    public long ProgramSize { get; }

    /// <summary>The generated method.</summary>
    public KernelScheduleMethod Run { get; }
}
