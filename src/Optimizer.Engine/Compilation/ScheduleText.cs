// The kernel program's steps as text for the manifest (execution.compiled.schedule): the source
// generator reads only manifests, never the binary .kernels file, so this is how the schedule
// reaches it. One line per step, every value exact (floats as their IEEE bits), each kernel's
// operand types and integer spans taken from the Kernels method itself, so the generator needs
// no copy of the kernel list; the syntax is in src/README.md ("Manifest").

using System.Globalization;
using System.Reflection;
using System.Text;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Compilation;

/// <summary>Writes kernel program steps in the manifest's schedule syntax.</summary>
public static class ScheduleText
{
    /// <summary>One line per step of <paramref name="program"/>; empty when a step's kernel has a signature the schedule cannot express (the interpreter then runs the program).</summary>
    public static IReadOnlyList<string> Format(KernelProgram program)
    {
        var lines = new List<string>(program.Steps.Count);
        foreach (var step in program.Steps)
        {
            if (Format(step) is not { } line)
            {
                return [];
            }

            lines.Add(line);
        }

        return lines;
    }

    /// <summary>
    /// For example <c>Gemm:ffff I0[0,d0*64] W[0,640] - A3[0,d0*10] | 1 d0 10 64 0 0 0 1 | 3F800000 00000000 00000000</c>:
    /// the kernel with its operands' element types (f float, u byte, i int32), its operands (region
    /// A with the arena block's index, W weights, I/O with the input/output index; [byte offset, element
    /// count], a number or an expression of the symbolic dimensions d0, d1, …; <c>-</c> an empty operand), its integer arguments (<c>[a,b,…]</c> for one passed as a span) and its
    /// float arguments, then <c># </c> and the ONNX node the step came from when the program records
    /// it. Null when the kernel's signature does not fit that shape.
    /// </summary>
    public static string? Format(ProgramStep step)
    {
        if (Signature(step) is not var (types, intParameters))
        {
            return null;
        }

        var text = new StringBuilder(step.Kind.ToString()).Append(':').Append(types);
        foreach (var operand in step.Operands)
        {
            text.Append(' ').Append(Operand(operand));
        }

        text.Append(" |");
        var spans = intParameters.Count(p => p == typeof(ReadOnlySpan<int>));
        var spanLength = spans == 0 ? 0 : (step.Ints.Count - (intParameters.Length - spans)) / spans;
        var next = 0;
        foreach (var parameter in intParameters)
        {
            var count = parameter == typeof(int) ? 1 : spanLength;
            if (count < 1 || next + count > step.Ints.Count)
            {
                return null;
            }

            var values = step.Ints.Skip(next).Take(count).Select(Value);
            text.Append(' ').Append(parameter == typeof(int) ? values.Single() : "[" + string.Join(",", values) + "]");
            next += count;
        }

        if (next != step.Ints.Count)
        {
            return null;
        }

        text.Append(" |");
        foreach (var value in step.Floats)
        {
            text.Append(' ').Append(BitConverter.SingleToUInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture));
        }

        if (step.Node.Length > 0)
        {
            // Last on the line: a name may hold '|' or '#'; line breaks would split the step.
            text.Append(" # ").Append(step.Node.Replace('\r', ' ').Replace('\n', ' '));
        }

        return text.ToString();
    }

    /// <summary>The operand type letters and the integer parameters' types, read from the <see cref="Kernels"/> method the step calls.</summary>
    private static (string Types, Type[] IntParameters)? Signature(ProgramStep step)
    {
        var method = typeof(Kernels).GetMethod(step.Kind.ToString(), BindingFlags.Public | BindingFlags.Static);
        var parameters = method?.GetParameters().Select(p => p.ParameterType).ToArray();
        if (parameters is null || parameters.Length < step.Operands.Count + step.Floats.Count)
        {
            return null;
        }

        var types = new StringBuilder();
        foreach (var type in parameters.Take(step.Operands.Count))
        {
            var element = type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Span<>) || type.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>))
                ? type.GetGenericArguments()[0] : null;
            types.Append(element == typeof(float) ? 'f' : element == typeof(byte) ? 'u' : element == typeof(int) ? 'i' : '?');
        }

        var ints = parameters.Skip(step.Operands.Count).Take(parameters.Length - step.Operands.Count - step.Floats.Count).ToArray();
        var floatsFit = parameters.Skip(parameters.Length - step.Floats.Count).All(p => p == typeof(float));
        var intsFit = ints.All(p => p == typeof(int) || p == typeof(ReadOnlySpan<int>));
        return types.ToString().Contains('?') || !floatsFit || !intsFit ? null : (types.ToString(), ints);
    }

    private static string Operand(Operand operand)
    {
        if (operand.IsEmpty)
        {
            return "-";
        }

        var region = operand.Region switch
        {
            BufferRegion.Arena => "A" + operand.Index.ToString(CultureInfo.InvariantCulture),
            BufferRegion.Weights => "W",
            BufferRegion.Input => "I" + operand.Index.ToString(CultureInfo.InvariantCulture),
            _ => "O" + operand.Index.ToString(CultureInfo.InvariantCulture),
        };
        return $"{region}[{Value(operand.ByteOffset)},{Value(operand.Length)}]";
    }

    /// <summary>A constant as its digits; a size that depends on the input shape as its expression over <c>d0</c>, <c>d1</c>, … (the generator reads it from the run's slots).</summary>
    private static string Value(SizeExpression value) => value.ToString();
}
