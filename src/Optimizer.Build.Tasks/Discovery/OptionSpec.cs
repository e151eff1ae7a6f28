using System.Collections.Generic;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>What kind of value an attribute property or item metadata holds.</summary>
internal enum OptionKind
{
    /// <summary>A path relative to the project folder.</summary>
    Path,
    /// <summary>A number (double) with an allowed range.</summary>
    Number,
    /// <summary>A member of one of Optimizer.Runtime's enums.</summary>
    Enum,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>Free text passed through (e.g. Prune.Exclude's layer names).</summary>
    Text,
}

/// <summary>
/// One property of a pass attribute (and the item metadata of the same name): its type and the
/// values it accepts. The task validates these so a typo fails at the attribute's line instead of
/// deep inside the engine.
/// </summary>
internal sealed class OptionSpec
{
    private OptionSpec(string name, OptionKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }
    public OptionKind Kind { get; }

    /// <summary>For <see cref="OptionKind.Enum"/>: the enum's simple name, e.g. QuantizationMode.</summary>
    public string EnumType { get; private set; } = "";

    /// <summary>For <see cref="OptionKind.Enum"/>: the member names, in declaration order.</summary>
    public IReadOnlyList<string> Members { get; private set; } = new string[0];

    /// <summary>For <see cref="OptionKind.Number"/>: the range, with each end open or closed.</summary>
    public NumberRange Range { get; private set; } = NumberRange.Any;

    /// <summary>True when the value names a data file whose bytes feed the cache key.</summary>
    public bool IsDataFile { get; private set; }

    public static OptionSpec DataFile(string name) => new(name, OptionKind.Path) { IsDataFile = true };

    public static OptionSpec Boolean(string name) => new(name, OptionKind.Boolean);

    public static OptionSpec Text(string name) => new(name, OptionKind.Text);

    public static OptionSpec Number(string name, NumberRange range) => new(name, OptionKind.Number) { Range = range };

    public static OptionSpec Enum(string name, string enumType, params string[] members) =>
        new(name, OptionKind.Enum) { EnumType = enumType, Members = members };
}
