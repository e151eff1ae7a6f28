using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Optimizer.Build.Generator.Model;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// Classes the project asked for without an <c>[OnnxModel]</c> class: an <c>&lt;OnnxModel&gt;</c>
/// item's <c>ClassName</c>, or another class of a model declared twice (<see cref="ManifestClaim"/>). The generated
/// part is the whole class (internal, in the namespace the name gives); a partial class of that
/// name the project declares, e.g. with pass attributes only, is completed by it.
/// </summary>
internal static class ItemClasses
{
    /// <summary>The classes the build made manifests for (<see cref="ManifestClaim"/>) that no <c>[OnnxModel]</c> class declares, by name.</summary>
    public static IEnumerable<ModelClass> Undeclared(
        EquatableArray<ManifestFile> manifests, EquatableArray<ManifestClaim> claims, IEnumerable<string> declaredClasses)
    {
        var declared = new HashSet<string>(declaredClasses, System.StringComparer.Ordinal);
        return claims
            .Where(claim => !declared.Contains(claim.ClassName))
            .GroupBy(claim => claim.ClassName, System.StringComparer.Ordinal)
            .OrderBy(group => group.Key, System.StringComparer.Ordinal)
            .Select(group => ToModelClass(group.Key, manifests.FirstOrDefault(m => m.Path == group.First().ManifestPath)?.ModelPath));
    }

    /// <summary>Whether <paramref name="fullName"/> is a dotted C# name (namespace parts and a class name).</summary>
    public static bool IsTypeName(string fullName) =>
        fullName.Split('.').All(part => SyntaxFacts.IsValidIdentifier(part) && SyntaxFacts.GetKeywordKind(part) == SyntaxKind.None);

    private static ModelClass ToModelClass(string fullName, string? modelPath)
    {
        int dot = fullName.LastIndexOf('.');
        return new ModelClass(
            Namespace: dot < 0 ? string.Empty : fullName.Substring(0, dot),
            Name: fullName.Substring(dot + 1),
            TypeParameters: string.Empty,
            FullName: fullName,
            QualifiedName: "global::" + fullName,
            ContainingTypes: EquatableArray<ContainingType>.Empty,
            IsPartial: true,
            IsStatic: false,
            IsRecord: false,
            ModelPath: modelPath,
            AttributeLocation: null);
    }
}
