using System.Collections.Generic;

namespace Optimizer.Build.Generator.Parser.Json;

/// <summary>A parsed JSON value with the 1-based line and column where it starts (for messages).</summary>
internal abstract class JsonValue
{
    protected JsonValue(int line, int column)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>What the value is, for messages such as "expected a string but found a number".</summary>
    public abstract string Kind { get; }
}

internal sealed class JsonObject : JsonValue
{
    private readonly Dictionary<string, JsonValue> _members;

    public JsonObject(Dictionary<string, JsonValue> members, int line, int column)
        : base(line, column) => _members = members;

    public override string Kind => "an object";

    public bool TryGet(string name, out JsonValue value) => _members.TryGetValue(name, out value!);
}

internal sealed class JsonArray : JsonValue
{
    public JsonArray(List<JsonValue> items, int line, int column)
        : base(line, column) => Items = items;

    public override string Kind => "an array";

    public IReadOnlyList<JsonValue> Items { get; }
}

internal sealed class JsonString : JsonValue
{
    public JsonString(string value, int line, int column)
        : base(line, column) => Value = value;

    public override string Kind => "a string";

    public string Value { get; }
}

/// <summary>A number kept as its text; the manifest reader decides which numbers must be integers.</summary>
internal sealed class JsonNumber : JsonValue
{
    public JsonNumber(string text, int line, int column)
        : base(line, column) => Text = text;

    public override string Kind => "a number";

    public string Text { get; }

    public bool TryGetInt32(out int value) =>
        int.TryParse(Text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
}

internal sealed class JsonBoolean : JsonValue
{
    public JsonBoolean(bool value, int line, int column)
        : base(line, column) => Value = value;

    public override string Kind => "a boolean";

    public bool Value { get; }
}

internal sealed class JsonNull : JsonValue
{
    public JsonNull(int line, int column)
        : base(line, column)
    {
    }

    public override string Kind => "null";
}
