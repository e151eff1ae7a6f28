using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Optimizer.Build.Generator.Tests.Harness;

/// <summary>
/// What must hold for any manifest, however hostile: the generator either refuses it with its own
/// coded error, or writes source that compiles cleanly (documentation comments checked too) and
/// declares nothing but the generated members, with manifest text only inside comments and literals.
/// </summary>
internal static class InjectionCheck
{
    /// <summary>Types the generated part declares: the model class, Input, Output and the kernel schedules.</summary>
    private static readonly Regex GeneratedType = new(@"^(Input|Output|__KernelSchedule\d*)$");

    /// <summary>Methods the generated part declares (constructors aside).</summary>
    private static readonly HashSet<string> GeneratedMethods = ["Run", "F32", "U8", "S32"];

    /// <summary>Checks the run; true when it generated source, false when it refused the manifest with a coded error.</summary>
    public static bool Holds(GeneratorRun run, string modelClassName)
    {
        // A generator that throws reports CS8785, not one of its codes.
        Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("OPT20", d.Id));
        if (run.Result.GeneratedTrees.IsEmpty)
        {
            Assert.Contains(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
            return false;
        }

        SyntaxTree tree = Assert.Single(run.Result.GeneratedTrees);
        string text = tree.GetText().ToString();
        int bad = Array.FindIndex(text.ToCharArray(), c => c != '\n' && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
        Assert.True(bad < 0, $"generated source holds U+{(bad < 0 ? 0 : text[bad]):X4} at {bad}");
        Assert.True(run.CompilationErrors.IsEmpty, "generated code does not compile cleanly:\n" + string.Join("\n", run.CompilationErrors) + "\n" + text);

        SyntaxNode root = tree.GetRoot();
        foreach (SyntaxTrivia trivia in root.DescendantTrivia())
        {
            Assert.True(
                trivia.Kind() is SyntaxKind.WhitespaceTrivia or SyntaxKind.EndOfLineTrivia or SyntaxKind.SingleLineCommentTrivia
                    or SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.NullableDirectiveTrivia,
                $"unexpected {trivia.Kind()} in generated source: {trivia}");
        }

        // An identifier made from a name joins its words (OutPwn…); injected code would have them as tokens of their own.
        foreach (SyntaxToken token in root.DescendantTokens().Where(t => !t.IsKind(SyntaxKind.StringLiteralToken)))
        {
            Assert.DoesNotContain(token.Text, HostileManifests.AttackWords);
        }

        foreach (BaseTypeDeclarationSyntax type in root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
        {
            Assert.True(type.Identifier.Text == modelClassName || GeneratedType.IsMatch(type.Identifier.Text), $"unexpected type {type.Identifier.Text}");
        }

        Assert.All(root.DescendantNodes().OfType<MethodDeclarationSyntax>(), m => Assert.Contains(m.Identifier.Text, GeneratedMethods));
        Assert.Empty(root.DescendantNodes().OfType<LocalFunctionStatementSyntax>());
        Assert.All(root.DescendantNodes().OfType<AttributeSyntax>(), a => Assert.Equal("global::System.CodeDom.Compiler.GeneratedCode", a.Name.ToString()));

        foreach (ISymbol symbol in run.Output.GetSymbolsWithName(_ => true, SymbolFilter.All))
        {
            Assert.DoesNotContain(symbol.GetAttributes(), a => a.AttributeClass?.Name == "ModuleInitializerAttribute");
        }

        return true;
    }
}
