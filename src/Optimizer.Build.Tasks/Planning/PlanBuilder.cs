using Optimizer.Build.Tasks.Diagnostics;
using Optimizer.Build.Tasks.Discovery;
using Optimizer.Onnx.Files;

namespace Optimizer.Build.Tasks.Planning;

/// <summary>
/// Merges attribute and item declarations into one plan per model and checks what can be checked
/// before the engine runs: conflicts, duplicate output names, missing model and data files.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly string _projectDirectory;
    private readonly string _outputDirectory;
    private readonly ICollection<BuildDiagnostic> _diagnostics;

    public PlanBuilder(string projectDirectory, string outputDirectory, ICollection<BuildDiagnostic> diagnostics)
    {
        _projectDirectory = projectDirectory;
        _outputDirectory = outputDirectory;
        _diagnostics = diagnostics;
    }

    /// <param name="classes">Valid class declarations from <see cref="DeclarationCollector"/>.</param>
    /// <param name="invalidClasses">Classes whose attributes had errors: items naming them are not planned either.</param>
    /// <param name="items">Declarations from &lt;OnnxModel&gt; items.</param>
    /// <returns>Plans ordered by name.</returns>
    public IReadOnlyList<OptimizationPlan> Build(
        IReadOnlyList<ModelDeclaration> classes, IReadOnlyCollection<string> invalidClasses, IReadOnlyList<ModelDeclaration> items)
    {
        var byClass = classes.ToDictionary(c => c.ClassName!, StringComparer.Ordinal);
        var failed = new HashSet<ModelDeclaration>();
        var standalone = new List<ModelDeclaration>();

        foreach (var item in items)
        {
            var targets = item.ClassName is not null
                ? (byClass.TryGetValue(item.ClassName, out var named) ? new[] { named } : Array.Empty<ModelDeclaration>())
                : classes.Where(c => c.ModelPath is not null && ModelPaths.Equal(c.ModelPath, item.ModelPath!)).ToArray();

            if (item.ClassName is not null && invalidClasses.Contains(item.ClassName))
                continue;
            if (targets.Length == 0)
                standalone.Add(item);
            foreach (var target in targets)
            {
                if (!Merge(target, item))
                    failed.Add(target);
            }
        }

        var plans = new List<OptimizationPlan>();
        foreach (var declaration in classes.Where(c => !failed.Contains(c)))
        {
            if (declaration.ModelPath is null)
            {
                _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.PassWithoutModel,
                    $"{declaration.ClassName} has [{declaration.Passes[0].Pass}] but no model. Add [OnnxModel(\"Models/model.onnx\")] to the class, or an <OnnxModel Include=\"...\" ClassName=\"{declaration.ClassName}\" /> item.",
                    declaration.FirstPassLocation!));
                continue;
            }

            AddIfValid(plans, declaration, declaration.ClassName!, declaration.ClassName!);
        }

        foreach (var item in standalone)
        {
            var name = item.ClassName ?? Path.GetFileNameWithoutExtension(item.ModelPath!);
            AddIfValid(plans, item, name, item.ClassName ?? "");
        }

        return WithoutDuplicateNames(plans);
    }

    /// <summary>
    /// Applies an item to a class's declaration. The item may supply the model (class with pass
    /// attributes only) or the passes (class with [OnnxModel] only); where both say something they
    /// must agree.
    /// </summary>
    private bool Merge(ModelDeclaration target, ModelDeclaration item)
    {
        if (target.ModelPath is null)
        {
            target.ModelPath = item.ModelPath;
            target.Location = item.Location;
        }
        else if (!ModelPaths.Equal(target.ModelPath, item.ModelPath!))
        {
            _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.ConflictingDeclarations,
                $"<OnnxModel Include=\"{item.ModelPath}\" ClassName=\"{item.ClassName}\"> names {target.ClassName}, whose [OnnxModel] at {DeclarationCollector.Describe(target.Location)} declares \"{target.ModelPath}\". Declare the model in one place.",
                item.Location));
            return false;
        }

        if (item.Passes.Count == 0)
            return true;
        if (target.Passes.Count == 0)
        {
            target.Passes.AddRange(item.Passes);
            return true;
        }

        var fromAttributes = PassDeclaration.CanonicalListText(target.Passes);
        var fromItem = PassDeclaration.CanonicalListText(item.Passes);
        if (fromAttributes == fromItem)
            return true;

        _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.ConflictingDeclarations,
            $"<OnnxModel Include=\"{item.ModelPath}\"> asks for {fromItem} but {target.ClassName}'s attributes at {DeclarationCollector.Describe(target.Location)} ask for {fromAttributes}. Declare the passes in one place (attributes or item metadata).",
            item.Location));
        return false;
    }

    private void AddIfValid(List<OptimizationPlan> plans, ModelDeclaration declaration, string name, string className)
    {
        var valid = true;
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Trim().Length == 0)
        {
            _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.InvalidValue,
                $"'{name}' cannot name output files. Set ClassName to a type name such as MyApp.Models.Digits.", declaration.Location));
            valid = false;
        }

        var modelFullPath = ModelPaths.FullPath(declaration.ModelPath!, _projectDirectory);
        var modelRefusal = DeclaredFile.Refusal(modelFullPath, DeclaredFile.MaxModelBytes);
        if (modelRefusal?.Problem == UntrustedFileProblem.NotFound)
        {
            _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.ModelNotFound,
                $"Model file '{declaration.ModelPath}' was not found (looked for {modelFullPath}). Paths are relative to the project folder; fix the path or add the file.",
                declaration.Location));
            valid = false;
        }
        else if (modelRefusal is not null)
        {
            _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.FileRefused,
                $"Model file '{declaration.ModelPath}' ({modelRefusal.FilePath}) cannot be used: {modelRefusal.Reason}. {DeclaredFile.Advice(modelRefusal.Problem)}",
                declaration.Location));
            valid = false;
        }

        foreach (var pass in declaration.Passes)
            valid &= DataFilesExist(pass);

        if (valid)
        {
            plans.Add(new OptimizationPlan(
                name, className, modelFullPath, declaration.ModelPath!, declaration.Location,
                _outputDirectory, _projectDirectory, declaration.Passes.ToList()));
        }
    }

    private bool DataFilesExist(PassDeclaration pass)
    {
        var spec = AttributeCatalog.FindPass(pass.Pass)!;
        var valid = true;
        foreach (var option in pass.Options)
        {
            if (spec.FindNamed(option.Key)?.IsDataFile != true)
                continue;
            var fullPath = ModelPaths.FullPath(option.Value, _projectDirectory);
            var refusal = DeclaredData.Refusal(fullPath);
            if (refusal?.Problem == UntrustedFileProblem.NotFound)
            {
                _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.DataFileNotFound,
                    $"{pass.Pass}.{option.Key} names '{option.Value}', which was not found (looked for {fullPath}). Paths are relative to the project folder.",
                    pass.Location));
                valid = false;
            }
            else if (refusal is not null)
            {
                _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.FileRefused,
                    $"{pass.Pass}.{option.Key} names '{option.Value}' ({refusal.FilePath}), which cannot be used: {refusal.Reason}. {DeclaredFile.Advice(refusal.Problem)}",
                    pass.Location));
                valid = false;
            }
        }

        return valid;
    }

    private IReadOnlyList<OptimizationPlan> WithoutDuplicateNames(List<OptimizationPlan> plans)
    {
        var result = new List<OptimizationPlan>();
        // Output files must differ on case-insensitive file systems too.
        foreach (var group in plans.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
        {
            var list = group.ToList();
            if (list.Count == 1)
            {
                result.Add(list[0]);
                continue;
            }

            foreach (var plan in list)
            {
                _diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.DuplicateOutputName,
                    $"Two models would be written as '{plan.Name}' (\"{string.Join("\", \"", list.Select(p => p.ModelPath))}\"). Give each a distinct ClassName.",
                    plan.DeclaredAt));
            }
        }

        return result.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }
}
