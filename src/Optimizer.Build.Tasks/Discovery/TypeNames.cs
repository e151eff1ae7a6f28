using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>Full names of declared types from syntax alone.</summary>
internal static class TypeNames
{
    /// <summary>
    /// Namespace (block or file-scoped, nested ones joined) plus containing types, '.'-separated:
    /// <c>Sample.Outer.Inner</c>. Matches what the generator sees as the class's display name.
    /// </summary>
    public static string FullName(TypeDeclarationSyntax type)
    {
        var parts = new List<string>();
        for (SyntaxNode? node = type; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case TypeDeclarationSyntax t:
                    parts.Add(t.Identifier.ValueText);
                    break;
                case BaseNamespaceDeclarationSyntax ns:
                    parts.Add(WithoutWhitespace(ns.Name.ToString()));
                    break;
            }
        }

        parts.Reverse();
        return string.Join(".", parts);
    }

    private static string WithoutWhitespace(string text) => new(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
}
