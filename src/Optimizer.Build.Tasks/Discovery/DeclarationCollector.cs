using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// Gathers the attributes of each class across all its partial parts and files, so
/// <c>[OnnxModel]</c> in one part and <c>[Quantize]</c> in another make one declaration.
/// </summary>
internal sealed class DeclarationCollector
{
    private readonly Dictionary<string, ModelDeclaration> _byClass = new(StringComparer.Ordinal);
    private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);

    public void AddModel(string className, string modelPath, SourceLocation location, ICollection<BuildDiagnostic> diagnostics)
    {
        var declaration = Get(className, location);
        if (declaration.ModelPath is not null)
        {
            if (!ModelPaths.Equal(declaration.ModelPath, modelPath))
            {
                diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.ConflictingDeclarations,
                    $"{className} declares two models: \"{declaration.ModelPath}\" ({Describe(declaration.Location)}) and \"{modelPath}\". Keep one [OnnxModel] per class.",
                    location));
                _invalid.Add(className);
            }

            return;
        }

        declaration.ModelPath = modelPath;
        declaration.Location = location;
    }

    public void AddPass(string className, PassDeclaration pass, ICollection<BuildDiagnostic> diagnostics)
    {
        var declaration = Get(className, pass.Location);
        var existing = declaration.Passes.FirstOrDefault(p => p.Pass == pass.Pass);
        if (existing is not null)
        {
            diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.ConflictingDeclarations,
                $"{className} has [{pass.Pass}] twice (also at {Describe(existing.Location)}). Keep one.",
                pass.Location));
            _invalid.Add(className);
            return;
        }

        declaration.Passes.Add(pass);
    }

    /// <summary>A class whose attributes had errors produces no plan (its errors are already reported).</summary>
    public void MarkInvalid(string className) => _invalid.Add(className);

    /// <summary>Valid class declarations, ordered by class name for deterministic plans.</summary>
    public IReadOnlyList<ModelDeclaration> Declarations =>
        _byClass.Values.Where(d => !_invalid.Contains(d.ClassName!)).OrderBy(d => d.ClassName, StringComparer.Ordinal).ToList();

    /// <summary>Classes whose attributes had errors; the planner must not treat items for them as bare.</summary>
    public IReadOnlyCollection<string> InvalidClasses => _invalid;

    private ModelDeclaration Get(string className, SourceLocation location)
    {
        if (!_byClass.TryGetValue(className, out var declaration))
        {
            declaration = new ModelDeclaration(DeclarationOrigin.Attribute, location) { ClassName = className };
            _byClass.Add(className, declaration);
        }

        return declaration;
    }

    internal static string Describe(SourceLocation location) =>
        location.Line > 0 ? $"{location.File}({location.Line},{location.Column})" : location.File;
}
