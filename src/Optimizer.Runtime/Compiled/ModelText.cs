using System.Text;

namespace Optimizer.Runtime.Compiled;

/// <summary>
/// A name that came from a model (an initializer's, a tensor's) made safe for an exception message
/// or a log line: control characters (a newline could forge a log line) shown as \uXXXX, and long
/// names cut, so a hostile model cannot shape the app's logs.
/// </summary>
internal static class ModelText
{
    private const int MaxLength = 200;

    public static string Printable(string name)
    {
        var text = name.Length > MaxLength ? name[..MaxLength] + "…" : name;
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        }

        return builder.ToString();
    }
}
