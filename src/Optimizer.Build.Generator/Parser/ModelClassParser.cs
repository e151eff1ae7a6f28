using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Optimizer.Build.Generator.Model;

namespace Optimizer.Build.Generator.Parser;

/// <summary>Reduces a class marked <c>[OnnxModel]</c> to a <see cref="ModelClass"/> of plain values.</summary>
internal static class ModelClassParser
{
    public static ModelClass Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        AttributeData attribute = context.Attributes[0];

        string? modelPath = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string path && path.Length > 0
            ? path
            : null;
        Location? attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? declaration.Identifier.GetLocation();

        var containing = new List<ContainingType>();
        for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
        {
            containing.Insert(0, new ContainingType(Keyword(type), type.Name, TypeParameters(type), IsPartial(type, cancellationToken)));
        }

        string @namespace = symbol.ContainingNamespace.IsGlobalNamespace ? string.Empty : symbol.ContainingNamespace.ToDisplayString();
        string fullName = string.Join(".", new[] { @namespace }.Where(n => n.Length > 0).Concat(containing.Select(c => c.Name)).Concat(new[] { symbol.Name }));

        return new ModelClass(
            @namespace,
            symbol.Name,
            TypeParameters(symbol),
            fullName,
            symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            containing.ToEquatableArray(),
            declaration.Modifiers.Any(SyntaxKind.PartialKeyword),
            symbol.IsStatic,
            symbol.IsRecord,
            modelPath,
            LocationInfo.From(attributeLocation));
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(reference =>
            reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string TypeParameters(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
