namespace Optimizer.Runtime;

/// <summary>
/// Marks a property of a pass attribute as one of the pass's options, with what the property's
/// type cannot say: its one-line summary, the allowed range, whether it names a data file.
/// Its kind (number, enum, boolean, text) comes from the property's type and its default from the
/// property's initial value. See <see cref="OptimizationPassAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class PassOptionAttribute : Attribute
{
    /// <param name="summary">One line for help text and docs.</param>
    public PassOptionAttribute(string summary) => Summary = summary;

    public string Summary { get; }

    /// <summary>Smallest allowed number (see <see cref="MinExclusive"/>).</summary>
    public double Min { get; set; } = double.NegativeInfinity;

    /// <summary>True when <see cref="Min"/> itself is not allowed.</summary>
    public bool MinExclusive { get; set; }

    /// <summary>Largest allowed number (see <see cref="MaxExclusive"/>).</summary>
    public double Max { get; set; } = double.PositiveInfinity;

    /// <summary>True when <see cref="Max"/> itself is not allowed.</summary>
    public bool MaxExclusive { get; set; }

    /// <summary>Numbers must be powers of two (Int4 block sizes).</summary>
    public bool PowerOfTwo { get; set; }

    /// <summary>The value is a path, relative to the project folder, whose bytes feed the build's cache key.</summary>
    public bool DataFile { get; set; }

    /// <summary>
    /// The <c>&lt;OnnxModel&gt;</c> item metadata that sets it, where it is not the pass's
    /// <see cref="OptimizationPassAttribute.ItemPrefix"/> + the property name; empty: no metadata
    /// sets it.
    /// </summary>
    public string? ItemMetadata { get; set; }

    /// <summary>
    /// A check on the result rather than a setting of the graph pass (RequireSpeedup): the engine
    /// runs it after the pipeline and the pass itself never sees it.
    /// </summary>
    public bool IsCheck { get; set; }
}
