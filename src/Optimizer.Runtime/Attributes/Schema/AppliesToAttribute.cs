namespace Optimizer.Runtime;

/// <summary>
/// Limits a pass option to some values of the pass's enum-typed mode option (Quantize's
/// <see cref="QuantizationMode"/>): <c>[AppliesTo(QuantizationMode.StaticInt8)]</c>. The build
/// refuses the option with any other mode at the declaration's line.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
internal sealed class AppliesToAttribute : Attribute
{
    /// <param name="values">Members of the mode option's enum.</param>
    public AppliesToAttribute(params object[] values) => Values = values;

    public object[] Values { get; }
}
