using System.Globalization;
using System.Text;

namespace Optimizer.Build.Tasks.Json;

/// <summary>
/// A minimal JSON writer with fixed formatting (two-space indent, '\n' line ends) so the same
/// plan always gives the same bytes. System.Text.Json is not available to a netstandard2.0 task
/// without shipping it, and the plan needs only objects, arrays, strings and integers.
/// </summary>
internal sealed class JsonTextWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;
    private bool _needsComma;

    public JsonTextWriter StartObject(string? name = null) => Open(name, '{');
    public JsonTextWriter EndObject() => Close('}');
    public JsonTextWriter StartArray(string? name = null) => Open(name, '[');
    public JsonTextWriter EndArray() => Close(']');

    public JsonTextWriter String(string name, string value)
    {
        Name(name);
        Quote(value);
        _needsComma = true;
        return this;
    }

    public JsonTextWriter Number(string name, long value)
    {
        Name(name);
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
        _needsComma = true;
        return this;
    }

    public JsonTextWriter Boolean(string name, bool value)
    {
        Name(name);
        _text.Append(value ? "true" : "false");
        _needsComma = true;
        return this;
    }

    public override string ToString() => _text.ToString() + "\n";

    private JsonTextWriter Open(string? name, char bracket)
    {
        if (name is null)
            Separator();
        else
            Name(name);
        _text.Append(bracket);
        _depth++;
        _needsComma = false;
        return this;
    }

    private JsonTextWriter Close(char bracket)
    {
        _depth--;
        var empty = _text[_text.Length - 1] is '{' or '[';
        if (!empty)
            NewLine();
        _text.Append(bracket);
        _needsComma = true;
        return this;
    }

    private void Name(string name)
    {
        Separator();
        Quote(name);
        _text.Append(": ");
    }

    private void Separator()
    {
        if (_needsComma)
            _text.Append(',');
        if (_text.Length > 0)
            NewLine();
    }

    private void NewLine() => _text.Append('\n').Append(' ', _depth * 2);

    private void Quote(string value)
    {
        _text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': _text.Append("\\\""); break;
                case '\\': _text.Append("\\\\"); break;
                case '\n': _text.Append("\\n"); break;
                case '\r': _text.Append("\\r"); break;
                case '\t': _text.Append("\\t"); break;
                default:
                    if (c < 0x20)
                        _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        _text.Append(c);
                    break;
            }
        }

        _text.Append('"');
    }
}
