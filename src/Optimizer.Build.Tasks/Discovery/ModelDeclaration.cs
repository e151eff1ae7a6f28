using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>Whether a declaration came from C# attributes or an &lt;OnnxModel&gt; item.</summary>
internal enum DeclarationOrigin
{
    Attribute,
    Item,
}

/// <summary>
/// A model declared once: by a class's attributes (all its partial parts together) or by one
/// &lt;OnnxModel&gt; item. The planner merges attribute and item declarations of the same model.
/// </summary>
internal sealed class ModelDeclaration
{
    public ModelDeclaration(DeclarationOrigin origin, SourceLocation location)
    {
        Origin = origin;
        Location = location;
    }

    public DeclarationOrigin Origin { get; }

    /// <summary>The [OnnxModel] attribute or the item; where model-level diagnostics point.</summary>
    public SourceLocation Location { get; set; }

    /// <summary>The class's full name; for an item its ClassName metadata, or null.</summary>
    public string? ClassName { get; set; }

    /// <summary>The model path as declared, '/'-separated; null for a class with pass attributes only.</summary>
    public string? ModelPath { get; set; }

    public List<PassDeclaration> Passes { get; } = new();

    /// <summary>Where the first pass attribute was written (used when a class has no [OnnxModel]).</summary>
    public SourceLocation? FirstPassLocation => Passes.Count > 0 ? Passes[0].Location : null;
}
