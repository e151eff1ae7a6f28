using System.Text;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// C# source with its comments and string/char literals blanked out, as the compiler's lexer
/// splits them, so a test can tell whether text from a model reached the code itself. A `//`
/// comment ends at any line terminator C# knows (\r, \n, U+0085, U+2028, U+2029): exactly the
/// characters an injected name would use to escape it.
/// </summary>
internal static class CSharpCodeText
{
    public static string WithoutCommentsAndLiterals(string source)
    {
        var code = new StringBuilder(source.Length);
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '/' && At(source, i + 1) == '/')
            {
                while (i < source.Length && !IsLineTerminator(source[i]))
                    i++;
            }
            else if (c == '/' && At(source, i + 1) == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
            }
            else if (c == '"' && At(source, i + 1) == '"' && At(source, i + 2) == '"')
            {
                var quotes = 0;
                while (At(source, i + quotes) == '"')
                    quotes++;
                var end = source.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + quotes;
            }
            else if (c == '@' && At(source, i + 1) == '"')
            {
                i += 2;
                while (i < source.Length && !(source[i] == '"' && At(source, i + 1) != '"'))
                    i += source[i] == '"' ? 2 : 1;
                i++;
            }
            else if (c is '"' or '\'')
            {
                i++;
                while (i < source.Length && source[i] != c && !IsLineTerminator(source[i]))
                    i += source[i] == '\\' ? 2 : 1;
                i++;
            }
            else
            {
                code.Append(c);
                i++;
                continue;
            }

            code.Append(' ');
        }

        return code.ToString();
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    private static bool IsLineTerminator(char c) => c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029';
}
