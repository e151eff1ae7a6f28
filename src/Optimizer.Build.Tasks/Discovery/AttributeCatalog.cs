namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// The task's view of the pass schema (<see cref="PassSchema"/>, read from Optimizer.Runtime's
/// attributes, which the task compiles in): which attributes it recognizes in sources and which
/// item metadata sets which option.
/// </summary>
internal static class AttributeCatalog
{
    public const string Namespace = "Optimizer.Runtime";
    public const string OnnxModel = "OnnxModel";

    /// <summary>The passes and checks a declaration may request, in pipeline order.</summary>
    public static readonly IReadOnlyList<PassDescriptor> Passes = PassSchema.Declarable.ToList();

    public static PassDescriptor? FindPass(string name) => Passes.FirstOrDefault(p => p.Name == name);

    /// <summary>Item metadata → the pass it configures and the option it sets (from each option's <see cref="OptionDescriptor.ItemMetadata"/>).</summary>
    public static readonly IReadOnlyList<(string Metadata, PassDescriptor Pass, OptionDescriptor Option)> ItemMetadata =
        Passes.SelectMany(p => p.Options.Where(o => o.ItemMetadata is not null).Select(o => (o.ItemMetadata!, p, o))).ToList();

    /// <summary>The metadata that must be present for a pass to be requested from an item.</summary>
    public static string? KeyMetadataFor(PassDescriptor pass) => pass.ItemKey?.ItemMetadata;

    /// <summary>Constructor parameters in order (Quantize's Mode).</summary>
    public static IReadOnlyList<OptionDescriptor> Positional(this PassDescriptor pass) => pass.Options.Where(o => o.IsPositional).ToList();

    /// <summary>The option a named argument (exact case, as C# requires) sets.</summary>
    public static OptionDescriptor? FindNamed(this PassDescriptor pass, string name) => pass.Options.FirstOrDefault(o => o.Name == name);

    /// <summary>
    /// The attribute an attribute name refers to ("Quantize", "QuantizeAttribute",
    /// "Optimizer.Runtime.Quantize", "global::Optimizer.Runtime.QuantizeAttribute"), or null when
    /// it is not one of ours (another namespace, a generic attribute, an unknown name).
    /// </summary>
    public static string? Recognize(string attributeName)
    {
        var name = new string(attributeName.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (name.StartsWith("global::", StringComparison.Ordinal))
            name = name.Substring("global::".Length);
        if (name.IndexOf('.') >= 0)
        {
            if (!name.StartsWith(Namespace + ".", StringComparison.Ordinal))
                return null;
            name = name.Substring(Namespace.Length + 1);
        }

        if (name.EndsWith("Attribute", StringComparison.Ordinal))
            name = name.Substring(0, name.Length - "Attribute".Length);
        return name == OnnxModel || FindPass(name) is not null ? name : null;
    }
}
