namespace Optimizer.Build.Generator.Model;

/// <summary>A class marked <c>[OnnxModel]</c>, reduced to the values generation needs.</summary>
/// <param name="Namespace">The containing namespace, or "" for the global namespace.</param>
/// <param name="Name">The class's identifier.</param>
/// <param name="TypeParameters">The type parameter list as written, e.g. <c>&lt;T&gt;</c>, or "".</param>
/// <param name="FullName">Namespace and containing types joined by dots, without type parameters: what manifests' className holds.</param>
/// <param name="QualifiedName">The fully qualified reference usable inside the class, e.g. <c>global::Sample.Outer&lt;T&gt;.Model</c>.</param>
/// <param name="ModelPath">The path given to the attribute, or null when it is not a constant string.</param>
internal sealed record ModelClass(
    string Namespace,
    string Name,
    string TypeParameters,
    string FullName,
    string QualifiedName,
    EquatableArray<ContainingType> ContainingTypes,
    bool IsPartial,
    bool IsStatic,
    bool IsRecord,
    string? ModelPath,
    LocationInfo? AttributeLocation);

/// <summary>A type containing the model class, outermost first; <see cref="Keyword"/> is e.g. <c>class</c> or <c>record struct</c>.</summary>
internal sealed record ContainingType(string Keyword, string Name, string TypeParameters, bool IsPartial);
