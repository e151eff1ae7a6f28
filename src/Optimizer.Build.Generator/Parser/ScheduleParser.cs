using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using Optimizer.Build.Generator.Model;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// Reads one schedule line, e.g. <c>Gemm:ffff I0[0,d0*64] W[0,640] - A3[0,d0*10] | 1 d0 10 64 0 0 0 1 | 3F800000 00000000 00000000</c>:
/// the kernel and its operand types, its operands, its integer arguments (<c>[a,b,…]</c> for a span)
/// and its float arguments as IEEE bits, optionally followed by <c> # </c> and the ONNX node the step
/// came from (syntax in src/README.md).
/// </summary>
internal static class ScheduleParser
{
    /// <summary>The step, or null with <paramref name="problem"/> saying what is wrong.</summary>
    public static ScheduleStep? TryParse(string line, out string problem)
    {
        problem = string.Empty;
        // The node comes last and may contain any character; the step before it never holds '#'.
        string node = string.Empty;
        int hash = line.IndexOf('#');
        if (hash >= 0)
        {
            node = line.Substring(hash + 1).Trim();
            line = line.Substring(0, hash);
        }

        string[] sections = line.Split('|');
        if (sections.Length != 3)
        {
            problem = "a step must have three sections separated by '|' (operands, integers, floats)";
            return null;
        }

        string[] head = Words(sections[0]);
        string[] kernel = head.Length == 0 ? new string[0] : head[0].Split(':');
        if (kernel.Length != 2 || !ManifestTokens.IsKernelName(kernel[0]) || kernel[1].Length != head.Length - 1 || kernel[1].Trim('f', 'u', 'i').Length != 0)
        {
            problem = "a step must start with its kernel and one operand type (f, u or i) per operand, e.g. Gemm:ffff";
            return null;
        }

        var operands = new ScheduleOperand[head.Length - 1];
        for (int i = 0; i < operands.Length; i++)
        {
            if (!TryOperand(head[i + 1], out operands[i]))
            {
                problem = $"'{head[i + 1]}' is not an operand (e.g. A3[0,d0*10], W[64,640], I0[0,d0*64] or -)";
                return null;
            }
        }

        string[] intWords = Words(sections[1]);
        var ints = new IntArgument[intWords.Length];
        for (int i = 0; i < ints.Length; i++)
        {
            string word = intWords[i];
            bool isSpan = word.Length >= 2 && word[0] == '[' && word[word.Length - 1] == ']';
            string[] parts = isSpan ? word.Substring(1, word.Length - 2).Split(',') : new[] { word };
            var values = new ScheduleValue[parts.Length];
            for (int k = 0; k < parts.Length; k++)
            {
                if (!TryValue(parts[k], out values[k]))
                {
                    problem = $"'{word}' is not an integer argument (e.g. 10, d0*64+8 or [1,2,3] for a span)";
                    return null;
                }
            }

            ints[i] = new IntArgument(new EquatableArray<ScheduleValue>(values), isSpan);
        }

        string[] floatWords = Words(sections[2]);
        var floats = new int[floatWords.Length];
        for (int i = 0; i < floats.Length; i++)
        {
            if (floatWords[i].Length != 8 || !uint.TryParse(floatWords[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint bits))
            {
                problem = $"'{floatWords[i]}' is not a float argument (8 hex digits of its IEEE bits)";
                return null;
            }

            floats[i] = unchecked((int)bits);
        }

        return new ScheduleStep(kernel[0], kernel[1], new EquatableArray<ScheduleOperand>(operands), new EquatableArray<IntArgument>(ints), new EquatableArray<int>(floats), node);
    }

    private static string[] Words(string text) => text.Split(new[] { ' ' }, System.StringSplitOptions.RemoveEmptyEntries);

    private static bool TryOperand(string word, out ScheduleOperand operand)
    {
        operand = default;
        if (word == "-")
        {
            operand = new ScheduleOperand(ScheduleRegion.Empty, 0, default, default);
            return true;
        }

        int open = word.IndexOf('[');
        int comma = word.IndexOf(',');
        if (open < 1 || comma < open || !word.EndsWith("]", System.StringComparison.Ordinal))
        {
            return false;
        }

        string region = word.Substring(0, open);
        int index = 0;
        ScheduleRegion kind;
        switch (region[0])
        {
            case 'A': kind = ScheduleRegion.Arena; break;
            case 'W' when region.Length == 1: kind = ScheduleRegion.Weights; break;
            case 'I': kind = ScheduleRegion.Input; break;
            case 'O': kind = ScheduleRegion.Output; break;
            default: return false;
        }

        if (kind is ScheduleRegion.Arena or ScheduleRegion.Input or ScheduleRegion.Output
            && !int.TryParse(region.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        if (!TryValue(word.Substring(open + 1, comma - open - 1), out ScheduleValue offset)
            || !TryValue(word.Substring(comma + 1, word.Length - comma - 2), out ScheduleValue length))
        {
            return false;
        }

        operand = new ScheduleOperand(kind, index, offset, length);
        return true;
    }

    /// <summary>
    /// A number, or an expression of the symbolic dimensions (<c>d0</c>, <c>d1</c>, digits, <c>+ - * / ( )</c>):
    /// only whether it is constant matters here, the expression's text never reaches generated code.
    /// </summary>
    private static bool TryValue(string text, out ScheduleValue value)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long constant))
        {
            value = ScheduleValue.Of(constant);
            return true;
        }

        value = ScheduleValue.Shaped;
        return text.Length > 0 && text.IndexOf('d') >= 0 && text.All(c => c is 'd' or (>= '0' and <= '9') or '+' or '-' or '*' or '/' or '(' or ')');
    }
}
