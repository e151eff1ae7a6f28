// The kernel program's steps as text for the manifest (execution.compiled.schedule): the source
// generator reads only manifests, never the binary .kernels file, so this is how the schedule
// reaches it. One line per step, every value exact (floats as their IEEE bits); the syntax is in
// src/README.md ("Manifest").

using System.Globalization;
using System.Text;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Compilation;

/// <summary>Writes kernel program steps in the manifest's schedule syntax.</summary>
public static class ScheduleText
{
    /// <summary>One line per step of <paramref name="program"/>.</summary>
    public static IReadOnlyList<string> Format(KernelProgram program) => program.Steps.Select(Format).ToList();

    /// <summary>
    /// For example <c>Gemm I0[0,64*n] W[0,640] - A[0,10*n] | 1 1*n 10 64 0 0 0 1 | 3F800000 00000000 00000000</c>:
    /// the kernel, its operands (region A arena, W weights, I/O with the input/output index;
    /// [byte offset, element count]; <c>-</c> an empty operand), its integer and its float arguments.
    /// </summary>
    public static string Format(ProgramStep step)
    {
        var text = new StringBuilder(step.Kind.ToString());
        foreach (var operand in step.Operands)
        {
            text.Append(' ').Append(Operand(operand));
        }

        text.Append(" |");
        foreach (var value in step.Ints)
        {
            text.Append(' ').Append(Linear(value));
        }

        text.Append(" |");
        foreach (var value in step.Floats)
        {
            text.Append(' ').Append(BitConverter.SingleToUInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string Operand(Operand operand)
    {
        if (operand.Region == BufferRegion.Weights && operand.Length == Lin.Of(0))
        {
            return "-";
        }

        var region = operand.Region switch
        {
            BufferRegion.Arena => "A",
            BufferRegion.Weights => "W",
            BufferRegion.Input => "I" + operand.Index.ToString(CultureInfo.InvariantCulture),
            _ => "O" + operand.Index.ToString(CultureInfo.InvariantCulture),
        };
        return $"{region}[{Linear(operand.ByteOffset)},{Linear(operand.Length)}]";
    }

    /// <summary><c>c</c>, <c>p*n</c>, <c>p*n+c</c> or <c>p*n-c</c>.</summary>
    private static string Linear(Lin value)
    {
        var constant = value.Constant.ToString(CultureInfo.InvariantCulture);
        if (value.PerBatch == 0)
        {
            return constant;
        }

        var perBatch = value.PerBatch.ToString(CultureInfo.InvariantCulture) + "*n";
        return value.Constant == 0 ? perBatch : value.Constant > 0 ? perBatch + "+" + constant : perBatch + constant;
    }
}
