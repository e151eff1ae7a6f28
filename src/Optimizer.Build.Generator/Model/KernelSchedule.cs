namespace Optimizer.Build.Generator.Model;

/// <summary>
/// The compiled kernel program's steps, from the manifest's <c>execution.compiled.schedule</c>
/// (src/README.md): what the generator emits as one kernel call per step.
/// </summary>
/// <param name="ProgramSize">The embedded program's size in bytes; the runtime runs the generated steps only with that program.</param>
internal sealed record KernelSchedule(long ProgramSize, EquatableArray<ScheduleStep> Steps);

/// <summary>
/// One kernel call: the kernel's name, its operands' element types (<c>f</c> float, <c>u</c> byte,
/// <c>i</c> int32, one letter per operand), its operands, integer arguments and float arguments (IEEE bits),
/// and the ONNX node it came from (op type and name; empty when the schedule does not say).
/// </summary>
internal sealed record ScheduleStep(string Kernel, string OperandTypes, EquatableArray<ScheduleOperand> Operands, EquatableArray<IntArgument> Ints, EquatableArray<int> FloatBits, string Node = "");

/// <summary>One integer argument, or several passed as one <c>ReadOnlySpan&lt;int&gt;</c> when <see cref="IsSpan"/>.</summary>
internal sealed record IntArgument(EquatableArray<ScheduleValue> Values, bool IsSpan);

/// <summary>Where an operand lives: arena, weights, or the caller's input/output <see cref="ScheduleOperand.Index"/>.</summary>
internal enum ScheduleRegion
{
    Empty,
    Arena,
    Weights,
    Input,
    Output,
}

/// <summary>
/// A slice of one region (for the arena, block <see cref="Index"/>, placed at run time): <see cref="ByteOffset"/>
/// from its start, <see cref="Length"/> elements of the kernel parameter's type.
/// </summary>
internal readonly record struct ScheduleOperand(ScheduleRegion Region, int Index, ScheduleValue ByteOffset, ScheduleValue Length);

/// <summary>
/// A size or argument: a constant, or one that depends on the input shape, which the generated code
/// reads from the run's slots (the runtime computes them once per shape; the expression stays in the manifest).
/// </summary>
internal readonly record struct ScheduleValue(long Constant, bool DependsOnShape)
{
    public static ScheduleValue Of(long constant) => new(constant, false);

    public static ScheduleValue Shaped { get; } = new(0, true);
}
