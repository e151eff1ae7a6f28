using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Optimizer.Build.Generator.Model;

namespace Optimizer.Build.Generator.Emitter;

/// <summary>
/// Writes the compiled kernel program as C#: a nested class whose <c>Run</c> makes one direct
/// kernel call per step over the arena, the weights (read in place from the embedded program) and
/// the caller's inputs and outputs. Every operand's offset and length and every integer argument is
/// read from the run's slots in order through <c>Optimizer.Runtime.ScheduleSlots</c> (numbered as
/// <c>Optimizer.Runtime.Compiled.ProgramLayout</c> numbers them: per step, two per operand, then one
/// per integer), floats are literals: a few bytes of IL per argument, so the schedule adds little to
/// the app (issue 15's size rule). The runtime calls it in place of its interpreter; the calls and
/// their arguments are the interpreter's, so the results are the same bits.
/// </summary>
internal static class KernelScheduleEmitter
{
    public const string ClassName = "__KernelSchedule";

    private const string Runtime = "global::Optimizer.Runtime";

    /// <summary>Whether every value fits the kernels' <c>int</c> parameters (else the runtime's interpreter runs the program).</summary>
    public static bool CanEmit(KernelSchedule schedule) =>
        schedule.Steps.All(step => step.Ints.All(i => i.Values.All(FitsInt)) && step.Operands.All(o => FitsInt(o.ByteOffset) && FitsInt(o.Length)))
        && schedule.Steps.Select((step, s) => (step, s)).All(p => !IsControl(p.step) || JumpTarget(p.step, p.s, schedule.Steps.Count) is not null);

    /// <summary>
    /// The runtime's control steps (Optimizer.Runtime/Kernels/Kernels.Control.cs): each returns whether
    /// the next N steps (its one integer) are skipped, so it is emitted as <c>if (…) goto</c>.
    /// </summary>
    private static readonly HashSet<string> ControlKernels = new(System.StringComparer.Ordinal) { "SkipUnless", "Skip" };

    private static bool IsControl(ScheduleStep step) => ControlKernels.Contains(step.Kernel);

    /// <summary>The step a control step at <paramref name="s"/> jumps to, or null when its count is not a constant inside the program.</summary>
    private static int? JumpTarget(ScheduleStep step, int s, int count) =>
        step.Ints.Count == 1 && step.Ints[0].Values is [{ DependsOnShape: false } value] && value.Constant >= 0 && s + 1 + value.Constant <= count
            ? s + 1 + (int)value.Constant
            : null;

    public static void Write(SourceWriter writer, KernelSchedule schedule, string className = ClassName, string? variant = null)
    {
        writer.Line(variant is null
            ? "/// <summary>The compiled kernel program as C#: one kernel call per step (the runtime checks it matches the embedded program).</summary>"
            : $"/// <summary>The compiled kernel program of the <c>{SourceText.DocComment(variant)}</c> variant as C#: one kernel call per step (the runtime checks it matches the embedded program).</summary>");
        writer.Open($"private static class {className}");
        writer.Line($"public static readonly {Runtime}.GeneratedSchedule Instance = new {Runtime}.GeneratedSchedule({schedule.Steps.Count}, {schedule.ProgramSize}, Run);");
        writer.Line();
        writer.Open($"private static void Run(global::System.ReadOnlySpan<int> s, {Runtime}.KernelBuffers buffers)");
        foreach (var region in schedule.Steps.SelectMany(s => s.Operands).Where(o => o.Region != ScheduleRegion.Empty).Select(o => (o.Region, Index: o.Region is ScheduleRegion.Input or ScheduleRegion.Output ? o.Index : 0)).Distinct().OrderBy(o => o.Region).ThenBy(o => o.Index))
        {
            writer.Line(region.Region switch
            {
                ScheduleRegion.Arena => "global::System.Span<byte> arena = buffers.Arena;",
                ScheduleRegion.Weights => "global::System.ReadOnlySpan<byte> weights = buffers.Weights;",
                ScheduleRegion.Input => $"global::System.Span<byte> input{region.Index} = buffers.Input({region.Index});",
                _ => $"global::System.Span<byte> output{region.Index} = buffers.Output({region.Index});",
            });
        }

        // Every operand and integer is read from the slots in order (ScheduleSlots): a few bytes of IL each.
        writer.Line($"{Runtime}.ScheduleSlots c = new {Runtime}.ScheduleSlots(s);");
        var targets = new HashSet<int>(schedule.Steps.Select((step, s) => IsControl(step) ? JumpTarget(step, s, schedule.Steps.Count) : null).OfType<int>());
        int slot = 0;
        for (int s = 0; s < schedule.Steps.Count; s++)
        {
            ScheduleStep step = schedule.Steps[s];
            if (targets.Contains(s))
            {
                writer.Line();
                writer.Line($"step_{s}:");
                writer.Line($"c.MoveTo({slot.ToString(CultureInfo.InvariantCulture)});");
            }

            var arguments = new List<string>();
            for (int o = 0; o < step.Operands.Count; o++)
            {
                arguments.Add(Operand(step.Operands[o], step.OperandTypes[o]));
            }

            foreach (IntArgument argument in step.Ints)
            {
                arguments.Add(argument.IsSpan ? $"c.Ints({argument.Values.Count.ToString(CultureInfo.InvariantCulture)})" : "c.Int()");
            }

            slot += ScheduleSlotCount(step);
            arguments.AddRange(step.FloatBits.Select(FloatLiteral));
            writer.Line();
            writer.Line(step.Node.Length == 0 ? $"// step {s}: {step.Kernel}" : $"// step {s}: {step.Kernel} {SourceText.Comment(step.Node)}");
            // The kernel name is an ASCII identifier (ManifestTokens) of a method the runtime has (KernelCatalog).
            string call = $"global::Optimizer.Runtime.Compiled.Kernels.{step.Kernel}({string.Join(", ", arguments)})";
            writer.Line(IsControl(step) ? $"if ({call}) goto step_{JumpTarget(step, s, schedule.Steps.Count)};" : call + ";");
        }

        if (targets.Contains(schedule.Steps.Count))
        {
            writer.Line();
            writer.Line($"step_{schedule.Steps.Count}:");
            writer.Line("return;");
        }

        writer.Close();
        writer.Close();
    }

    /// <summary>The slots a step reads, as the runtime's ProgramLayout numbers them: two per operand, one per integer.</summary>
    private static int ScheduleSlotCount(ScheduleStep step) => 2 * step.Operands.Count + step.Ints.Sum(i => i.Values.Count);

    /// <summary>The operand types of the manifest's schedule (f float, u byte, i int32): the ScheduleSlots view and the element type.</summary>
    private static readonly Dictionary<char, (string View, string Element)> OperandViews = new()
    {
        ['f'] = ("F32", "float"),
        ['u'] = ("U8", "byte"),
        ['i'] = ("S32", "int"),
    };

    private static string Operand(ScheduleOperand operand, char type)
    {
        var (view, element) = OperandViews[type];
        if (operand.Region == ScheduleRegion.Empty)
        {
            return $"c.Empty<{element}>()";
        }

        string region = operand.Region switch
        {
            ScheduleRegion.Arena => "arena",
            ScheduleRegion.Weights => "weights",
            ScheduleRegion.Input => "input" + operand.Index.ToString(CultureInfo.InvariantCulture),
            _ => "output" + operand.Index.ToString(CultureInfo.InvariantCulture),
        };
        return $"c.{view}({region})";
    }

    /// <summary>The shortest literal that gives exactly these bits.</summary>
    private static string FloatLiteral(int bits)
    {
        float value = System.BitConverter.ToSingle(System.BitConverter.GetBytes(bits), 0);
        if (float.IsNaN(value))
        {
            return $"global::System.BitConverter.Int32BitsToSingle(unchecked((int)0x{bits:X8}))";
        }

        if (float.IsPositiveInfinity(value))
        {
            return "float.PositiveInfinity";
        }

        if (float.IsNegativeInfinity(value))
        {
            return "float.NegativeInfinity";
        }

        foreach (string format in new[] { "R", "G9" })
        {
            string text = value.ToString(format, CultureInfo.InvariantCulture);
            if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed)
                && System.BitConverter.ToInt32(System.BitConverter.GetBytes(parsed), 0) == bits)
            {
                return text + "f";
            }
        }

        return $"global::System.BitConverter.Int32BitsToSingle(unchecked((int)0x{bits:X8}))";
    }

    /// <summary>A constant fits an <c>int</c> (a shaped value is checked by the runtime when it computes the slots).</summary>
    private static bool FitsInt(ScheduleValue value) => value.DependsOnShape || (value.Constant >= int.MinValue && value.Constant <= int.MaxValue);
}
