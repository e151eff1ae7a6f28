using System;
using System.Globalization;
using System.Linq;

namespace Optimizer.Passes.Schema;

/// <summary>
/// The one text form of option values, shared by the task (which writes plans) and the passes (which
/// read them and the command line): numbers invariant and shortest round-trip, booleans
/// <c>true</c>/<c>false</c>, enum members by name. Equal values give equal text, so equal
/// declarations give equal plans and cache keys.
/// </summary>
public static class OptionText
{
    /// <summary>Canonical text of a typed value (an attribute property's value).</summary>
    public static string Format(OptionDescriptor option, object value) => option.Kind switch
    {
        OptionKind.Number => FormatNumber(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        OptionKind.Boolean => (bool)value ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An invariant-culture number, or null.</summary>
    public static double? ParseNumber(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Whether a number is allowed by the option's range, integer and power-of-two rules.</summary>
    public static bool Allows(OptionDescriptor option, double value) =>
        option.Range.Contains(value)
        && (!option.IsInteger || Math.Floor(value) == value)
        && (!option.PowerOfTwo || (value >= 1 && Math.Floor(value) == value && ((long)value & ((long)value - 1)) == 0));

    /// <summary>
    /// The member an enum text names: exact case, or any case when <paramref name="ignoreCase"/>,
    /// optionally prefixed by the enum's name (<c>QuantizationMode.StaticInt8</c>). Numbers and
    /// combinations are not member names.
    /// </summary>
    public static string? ParseMember(OptionDescriptor option, string text, bool ignoreCase)
    {
        var member = text.Trim();
        if (member.StartsWith(option.EnumType + ".", StringComparison.OrdinalIgnoreCase))
            member = member.Substring(option.EnumType.Length + 1);
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return option.Members.FirstOrDefault(m => string.Equals(m, member, comparison));
    }

    /// <summary>true or false in any case, or null.</summary>
    public static bool? ParseBoolean(string text) => bool.TryParse(text.Trim(), out var value) ? value : null;
}
