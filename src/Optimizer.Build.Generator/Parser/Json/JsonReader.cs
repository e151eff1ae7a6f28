using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Optimizer.Build.Generator.Parser.Json;

/// <summary>
/// A small, strict RFC 8259 JSON reader. System.Text.Json is not available to a netstandard2.0
/// analyzer running inside Visual Studio's .NET Framework compiler unless the generator ships it
/// (and its dependencies) beside itself, which risks version conflicts with other analyzers; the
/// manifest is tiny, so reading it here is cheaper and safer.
/// Rejects: comments, trailing commas, single quotes, unescaped control characters, leading zeros,
/// duplicate keys, trailing content, and nesting deeper than <see cref="MaxDepth"/>.
/// </summary>
internal sealed class JsonReader
{
    public const int MaxDepth = 64;

    private readonly string _text;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    private JsonReader(string text) => _text = text;

    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipWhitespace();
        JsonValue value = reader.ReadValue(depth: 0);
        reader.SkipWhitespace();
        if (reader._position < text.Length)
        {
            throw reader.Error("unexpected content after the end of the JSON value");
        }

        return value;
    }

    private int Column => _position - _lineStart + 1;

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"nesting is deeper than {MaxDepth} levels");
        }

        if (_position >= _text.Length)
        {
            throw Error("unexpected end of input; expected a value");
        }

        char c = _text[_position];
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"': return new JsonString(ReadString(), _line, Column);
            case 't': return ReadLiteral("true", (l, col) => new JsonBoolean(true, l, col));
            case 'f': return ReadLiteral("false", (l, col) => new JsonBoolean(false, l, col));
            case 'n': return ReadLiteral("null", (l, col) => new JsonNull(l, col));
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ReadNumber();
                }

                throw Error($"unexpected character '{Printable(c)}'; expected a value");
        }
    }

    private JsonObject ReadObject(int depth)
    {
        int line = _line, column = Column;
        _position++; // {
        var members = new Dictionary<string, JsonValue>(System.StringComparer.Ordinal);
        SkipWhitespace();
        if (TryConsume('}'))
        {
            return new JsonObject(members, line, column);
        }

        while (true)
        {
            SkipWhitespace();
            if (_position >= _text.Length || _text[_position] != '"')
            {
                throw Error("expected a property name in double quotes");
            }

            int keyLine = _line, keyColumn = Column;
            string key = ReadString();
            if (members.ContainsKey(key))
            {
                throw new JsonFormatException($"duplicate property \"{key}\"", keyLine, keyColumn);
            }

            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            members.Add(key, ReadValue(depth + 1));
            SkipWhitespace();
            if (TryConsume('}'))
            {
                return new JsonObject(members, line, column);
            }

            Expect(',');
        }
    }

    private JsonArray ReadArray(int depth)
    {
        int line = _line, column = Column;
        _position++; // [
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (TryConsume(']'))
        {
            return new JsonArray(items, line, column);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            if (TryConsume(']'))
            {
                return new JsonArray(items, line, column);
            }

            Expect(',');
        }
    }

    private string ReadString()
    {
        _position++; // opening quote
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("unterminated string");
            }

            char c = _text[_position];
            if (c == '"')
            {
                _position++;
                return builder.ToString();
            }

            if (c < 0x20)
            {
                throw Error($"control character U+{(int)c:X4} in a string must be escaped");
            }

            if (c != '\\')
            {
                builder.Append(c);
                _position++;
                continue;
            }

            _position++;
            if (_position >= _text.Length)
            {
                throw Error("unterminated escape sequence");
            }

            char escape = _text[_position++];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u': builder.Append(ReadHex4()); break;
                default:
                    _position--;
                    throw Error($"invalid escape sequence '\\{Printable(escape)}'");
            }
        }
    }

    private char ReadHex4()
    {
        if (_position + 4 > _text.Length)
        {
            throw Error("\\u needs four hex digits");
        }

        string hex = _text.Substring(_position, 4);
        if (!ushort.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
        {
            throw Error($"\\u{hex} is not four hex digits");
        }

        _position += 4;
        return (char)code;
    }

    private JsonNumber ReadNumber()
    {
        int start = _position, line = _line, column = Column;
        TryConsume('-');
        if (TryConsume('0'))
        {
            if (_position < _text.Length && IsDigit(_text[_position]))
            {
                throw Error("numbers must not have leading zeros");
            }
        }
        else
        {
            ReadDigits("a digit");
        }

        if (TryConsume('.'))
        {
            ReadDigits("a digit after the decimal point");
        }

        if (TryConsume('e') || TryConsume('E'))
        {
            if (!TryConsume('+'))
            {
                TryConsume('-');
            }

            ReadDigits("a digit in the exponent");
        }

        return new JsonNumber(_text.Substring(start, _position - start), line, column);
    }

    private void ReadDigits(string what)
    {
        if (_position >= _text.Length || !IsDigit(_text[_position]))
        {
            throw Error($"expected {what}");
        }

        while (_position < _text.Length && IsDigit(_text[_position]))
        {
            _position++;
        }
    }

    private JsonValue ReadLiteral(string literal, System.Func<int, int, JsonValue> create)
    {
        int line = _line, column = Column;
        if (string.CompareOrdinal(_text, _position, literal, 0, literal.Length) != 0)
        {
            throw Error($"unexpected character '{Printable(_text[_position])}'; expected a value");
        }

        _position += literal.Length;
        return create(line, column);
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c == '\n')
            {
                _line++;
                _lineStart = _position + 1;
            }
            else if (c != ' ' && c != '\t' && c != '\r')
            {
                return;
            }

            _position++;
        }
    }

    private bool TryConsume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Error(_position >= _text.Length ? $"unexpected end of input; expected '{c}'" : $"expected '{c}' but found '{Printable(_text[_position])}'");
        }
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static string Printable(char c) => c < 0x20 ? $"U+{(int)c:X4}" : c.ToString();

    private JsonFormatException Error(string problem) => new(problem, _line, Column);
}
