using System.Globalization;
using System.Text;

namespace Optimizer.Build.Generator.Emitter;

/// <summary>
/// Encodes text from a manifest (which comes from a model file anyone may have written) for the one
/// place in generated C# it goes, so it can never end that place and become code: <see cref="Comment"/>
/// for <c>//</c> comments, <see cref="DocComment"/> for <c>///</c> comments, <see cref="Literal"/> for
/// string literals. Identifiers come from <see cref="IdentifierNames"/>. Every manifest string the
/// emitters write goes through one of these.
/// </summary>
internal static class SourceText
{
    /// <summary>What replaces a character that could end a comment line or hide text (line terminators, controls, bidi and other format characters).</summary>
    private const char Replacement = '?';

    /// <summary>
    /// Text for a single-line <c>//</c> comment: <see cref="OneLine"/>, with <c>*/</c> and <c>/*</c> split.
    /// </summary>
    public static string Comment(string text) => OneLine(text).Replace("*/", "* /").Replace("/*", "/ *");

    /// <summary>Text for a <c>///</c> documentation comment: <see cref="Comment"/>, then XML-escaped (<c>&amp; &lt; &gt; " '</c>).</summary>
    public static string DocComment(string text) =>
        Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&apos;");

    /// <summary>A C# <c>double</c> literal with exactly this finite value (round-trip format, invariant culture).</summary>
    public static string Literal(double value) =>
        double.IsNaN(value) || double.IsInfinity(value)
            ? throw new System.ArgumentOutOfRangeException(nameof(value), "Only finite numbers are written as literals.")
            : value.ToString("R", CultureInfo.InvariantCulture) + "d";

    /// <summary>
    /// A C# string literal with exactly this value: printable ASCII as is (with <c>\"</c> and <c>\\</c>),
    /// every other character as <c>\uXXXX</c>, so no line terminator, control or lookalike reaches the source.
    /// </summary>
    public static string Literal(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                default:
                    if (c >= ' ' && c <= '~')
                    {
                        builder.Append(c);
                    }
                    else
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>
    /// Text that stays on one line (of a comment or a diagnostic message): every character that C# or
    /// an editor treats as a line terminator (<c>\n</c>, <c>\r</c>, U+0085, U+2028, U+2029), every other
    /// control or format character (NUL, bidi overrides), unpaired surrogates and unassigned or private
    /// code points become <c>?</c>.
    /// </summary>
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }

            builder.Append(StaysOnItsLine(c) ? c : Replacement);
        }

        return builder.ToString();
    }

    private static bool StaysOnItsLine(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse => false,
        _ => true,
    };
}
