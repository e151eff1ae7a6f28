using System.Globalization;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>A parsed option value in canonical text, or the coded reason it was refused.</summary>
internal readonly struct OptionValue
{
    private OptionValue(string? value, string? errorCode, string? error)
    {
        Value = value;
        ErrorCode = errorCode;
        Error = error;
    }

    public string? Value { get; }
    public string? ErrorCode { get; }
    public string? Error { get; }
    public bool IsValid => ErrorCode is null;

    public static OptionValue Ok(string value) => new(value, null, null);
    public static OptionValue Fail(string code, string message) => new(null, code, message);

    /// <summary>Canonical text of a number (<see cref="OptionText.FormatNumber"/>).</summary>
    public static string FormatNumber(double value) => OptionText.FormatNumber(value);

    /// <summary>Checks a number against the option's range.</summary>
    public static OptionValue FromNumber(string owner, OptionDescriptor option, double value)
    {
        if (!option.Range.Contains(value))
        {
            return Fail(DiagnosticCodes.ValueOutOfRange,
                $"{owner}.{option.Name} = {FormatNumber(value)} is outside {option.Range}. Use a value in {option.Range}.");
        }

        return OptionText.Allows(option, value) ? Ok(FormatNumber(value))
            : Fail(DiagnosticCodes.InvalidValue, $"{owner}.{option.Name} = {FormatNumber(value)} is not {option.AllowedText}.");
    }

    /// <summary>Checks an enum member name (exact case, as C# requires).</summary>
    public static OptionValue FromEnumMember(string owner, OptionDescriptor option, string member)
    {
        if (option.Members.Contains(member, StringComparer.Ordinal))
            return Ok(member);
        return Fail(DiagnosticCodes.InvalidValue,
            $"'{member}' is not a member of {option.EnumType} ({owner}.{option.Name}). Use one of: {MemberList(option)}.");
    }

    /// <summary>
    /// Parses item metadata text: culture-invariant numbers, enum members in any case. Messages
    /// name the metadata only; the caller says which item it is on.
    /// </summary>
    public static OptionValue FromMetadata(OptionDescriptor option, string text)
    {
        text = text.Trim();
        switch (option.Kind)
        {
            case OptionKind.Number:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return Fail(DiagnosticCodes.InvalidValue,
                        $"{option.Name}=\"{text}\" is not a number. Write a number such as 0.5 (invariant culture, '.' as decimal point).");
                }

                if (!option.Range.Contains(number))
                {
                    return Fail(DiagnosticCodes.ValueOutOfRange,
                        $"{option.Name}=\"{text}\" is outside {option.Range}. Use a value in {option.Range}.");
                }

                return OptionText.Allows(option, number) ? Ok(FormatNumber(number))
                    : Fail(DiagnosticCodes.InvalidValue, $"{option.Name}=\"{text}\" is not {option.AllowedText}.");

            case OptionKind.Enum:
                var match = OptionText.ParseMember(option, text, ignoreCase: true);
                return match is not null
                    ? Ok(match)
                    : Fail(DiagnosticCodes.InvalidValue,
                        $"{option.Name}=\"{text}\" is not a member of {option.EnumType}. Use one of: {MemberList(option)}.");

            case OptionKind.Boolean:
                return bool.TryParse(text, out var flag)
                    ? Ok(flag ? "true" : "false")
                    : Fail(DiagnosticCodes.InvalidValue, $"{option.Name}=\"{text}\" is not true or false.");

            case OptionKind.Text:
                return Ok(text);

            default:
                return text.Length > 0
                    ? Ok(text.Replace('\\', '/'))
                    : Fail(DiagnosticCodes.InvalidValue, $"{option.Name} is empty. Give a path relative to the project folder.");
        }
    }

    public static string MemberList(OptionDescriptor option) => string.Join(", ", option.Members);
}
