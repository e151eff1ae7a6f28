using System;
using System.Collections.Generic;
using System.Linq;

namespace Optimizer.Passes.Schema;

/// <summary>
/// One option of a pass, read from its attribute property (<see cref="SchemaReader"/>): what the
/// build task validates at the declaration's line, what the engine binds, what help and docs say.
/// </summary>
/// <param name="Name">The attribute property's name, which is also the option's name in plans and on the command line.</param>
/// <param name="Kind">What kind of value it holds.</param>
/// <param name="PropertyType">The attribute property's type (an enum type for <see cref="OptionKind.Enum"/>).</param>
/// <param name="Summary">One line for help text and docs.</param>
public sealed record OptionDescriptor(string Name, OptionKind Kind, Type PropertyType, string Summary)
{
    /// <summary>The default in canonical text (<see cref="OptionText"/>), or null where the default is "not set".</summary>
    public string? DefaultText { get; internal set; }

    /// <summary>For <see cref="OptionKind.Number"/>: the allowed range.</summary>
    public NumberRange Range { get; internal set; } = NumberRange.Any;

    /// <summary>For <see cref="OptionKind.Number"/>: whole numbers only (an <c>int</c> property).</summary>
    public bool IsInteger { get; internal set; }

    /// <summary>For <see cref="OptionKind.Number"/>: powers of two only.</summary>
    public bool PowerOfTwo { get; internal set; }

    /// <summary>For <see cref="OptionKind.Enum"/>: the enum's simple name, e.g. QuantizationMode.</summary>
    public string EnumType => Kind == OptionKind.Enum ? PropertyType.Name : "";

    /// <summary>For <see cref="OptionKind.Enum"/>: the member names in declaration order.</summary>
    public IReadOnlyList<string> Members { get; internal set; } = Array.Empty<string>();

    /// <summary>True when the value names a data file whose bytes feed the build's cache key.</summary>
    public bool IsDataFile => Kind == OptionKind.Path;

    /// <summary>The <c>&lt;OnnxModel&gt;</c> item metadata that sets it; null when no metadata does.</summary>
    public string? ItemMetadata { get; internal set; }

    /// <summary>A check on the result (RequireSpeedup), run by the engine after the pipeline; the pass never sees it.</summary>
    public bool IsCheck { get; internal set; }

    /// <summary>True for a constructor parameter of the attribute (Quantize's Mode).</summary>
    public bool IsPositional { get; internal set; }

    /// <summary>
    /// The values of the pass's mode option this option applies to (member names); empty: every mode.
    /// </summary>
    public IReadOnlyList<string> AppliesTo { get; internal set; } = Array.Empty<string>();

    /// <summary>The name of the pass's mode option <see cref="AppliesTo"/> refers to, or null.</summary>
    public string? AppliesToOption { get; internal set; }

    /// <summary>True when the option may be set together with <paramref name="mode"/> (a member name of the mode option).</summary>
    public bool AppliesWith(string? mode) =>
        AppliesTo.Count == 0 || (mode is not null && AppliesTo.Contains(mode, StringComparer.OrdinalIgnoreCase));

    /// <summary>The allowed values in words, for messages and help: "true or false", "one of: A, B", "(0, 1)".</summary>
    public string AllowedText => Kind switch
    {
        OptionKind.Boolean => "true or false",
        OptionKind.Enum => "one of: " + string.Join(", ", Members),
        OptionKind.Number => (IsInteger ? "a whole number" : "a number") + (Range.IsAny ? "" : " in " + Range) + (PowerOfTwo ? ", a power of two" : ""),
        OptionKind.Path => "a path relative to the project folder",
        _ => "text",
    };
}
