using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// Finds [OnnxModel] and pass attributes on classes in C# source text with a syntax-only parse.
/// Partial parts of one class (in one file or many) are merged by <see cref="DeclarationCollector"/>.
/// </summary>
internal sealed class SourceScanner
{
    private static readonly string[] Markers =
        new[] { AttributeCatalog.OnnxModel }.Concat(AttributeCatalog.Passes.Select(p => p.Name)).ToArray();

    private readonly CSharpParseOptions _parseOptions;

    /// <param name="preprocessorSymbols">$(DefineConstants), so #if DEBUG blocks read as the compiler reads them.</param>
    public SourceScanner(IEnumerable<string> preprocessorSymbols)
    {
        _parseOptions = new CSharpParseOptions(LanguageVersion.Preview, DocumentationMode.None, SourceCodeKind.Regular, preprocessorSymbols);
    }

    /// <summary>Scans one file; adds each attributed class part and any coded errors.</summary>
    public void Scan(string filePath, string text, DeclarationCollector collector, ICollection<BuildDiagnostic> diagnostics)
    {
        // Most files mention none of our attributes: skip parsing them (this runs on every build).
        if (!Markers.Any(m => text.IndexOf(m, StringComparison.Ordinal) >= 0))
            return;

        var tree = CSharpSyntaxTree.ParseText(text, _parseOptions, filePath);
        var classes = tree.GetRoot()
            .DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax)
            .OfType<ClassDeclarationSyntax>();

        foreach (var type in classes)
            ScanClass(filePath, type, collector, diagnostics);
    }

    private static void ScanClass(string filePath, ClassDeclarationSyntax type, DeclarationCollector collector, ICollection<BuildDiagnostic> diagnostics)
    {
        var className = TypeNames.FullName(type);
        foreach (var attribute in type.AttributeLists.SelectMany(list => list.Attributes))
        {
            var recognized = AttributeCatalog.Recognize(attribute.Name.ToString());
            if (recognized is null)
                continue;

            var location = LocationOf(filePath, attribute);
            if (recognized == AttributeCatalog.OnnxModel)
            {
                var path = ReadModelPath(filePath, attribute, diagnostics);
                if (path is not null)
                    collector.AddModel(className, path, location, diagnostics);
                else
                    collector.MarkInvalid(className);
            }
            else
            {
                var pass = ReadPass(filePath, AttributeCatalog.FindPass(recognized)!, attribute, location, diagnostics);
                if (pass is not null)
                    collector.AddPass(className, pass, diagnostics);
                else
                    collector.MarkInvalid(className);
            }
        }
    }

    private static string? ReadModelPath(string filePath, AttributeSyntax attribute, ICollection<BuildDiagnostic> diagnostics)
    {
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        var positional = arguments.Where(a => a.NameEquals is null).ToList();
        foreach (var named in arguments.Where(a => a.NameEquals is not null))
        {
            diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.InvalidValue,
                $"OnnxModel has no property '{named.NameEquals!.Name}'. Write [OnnxModel(\"Models/model.onnx\")].",
                LocationOf(filePath, named)));
        }

        if (positional.Count != 1)
        {
            diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.InvalidValue,
                "OnnxModel takes exactly one argument, the model path relative to the project folder: [OnnxModel(\"Models/model.onnx\")].",
                LocationOf(filePath, attribute)));
            return null;
        }

        var value = AttributeArgumentReader.ReadString("OnnxModel", "path", positional[0].Expression);
        if (value.IsValid)
            return value.Value;
        diagnostics.Add(new BuildDiagnostic(value.ErrorCode!, value.Error!, LocationOf(filePath, positional[0])));
        return null;
    }

    private static PassDeclaration? ReadPass(
        string filePath, PassDescriptor spec, AttributeSyntax attribute, SourceLocation location, ICollection<BuildDiagnostic> diagnostics)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        var position = 0;
        foreach (var argument in attribute.ArgumentList?.Arguments ?? default)
        {
            OptionDescriptor? option;
            if (argument.NameEquals is not null)
            {
                option = spec.FindNamed(argument.NameEquals.Name.Identifier.ValueText);
            }
            else
            {
                // A constructor argument, by position or by parameter name (mode: ...).
                option = argument.NameColon is not null
                    ? spec.Positional().FirstOrDefault(o => string.Equals(o.Name, argument.NameColon.Name.Identifier.ValueText, StringComparison.OrdinalIgnoreCase))
                    : position < spec.Positional().Count ? spec.Positional()[position] : null;
                position++;
            }

            if (option is null)
            {
                diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.InvalidValue,
                    $"{spec.Name} has no argument '{argument}'. It accepts: {string.Join(", ", spec.Options.Select(o => o.Name))}.",
                    LocationOf(filePath, argument)));
                ok = false;
                continue;
            }

            var value = AttributeArgumentReader.Read(spec.Name, option, argument.Expression);
            if (!value.IsValid)
            {
                diagnostics.Add(new BuildDiagnostic(value.ErrorCode!, value.Error!, LocationOf(filePath, argument)));
                ok = false;
                continue;
            }

            options[option.Name] = value.Value!;
        }

        if (ok && spec.ModeRefusal(options) is { } refusal)
        {
            diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.InvalidValue, $"[{spec.Name}]: {refusal}", location));
            ok = false;
        }

        return ok ? new PassDeclaration(spec.Name, options, location) : null;
    }

    private static SourceLocation LocationOf(string filePath, SyntaxNode node)
    {
        var start = node.GetLocation().GetLineSpan().StartLinePosition;
        return new SourceLocation(filePath, start.Line + 1, start.Character + 1);
    }
}
