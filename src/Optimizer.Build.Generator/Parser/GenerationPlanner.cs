using System.Collections.Generic;
using System.Linq;
using Optimizer.Build.Generator.Diagnostics;
using Optimizer.Build.Generator.Emitter;
using Optimizer.Build.Generator.Model;

namespace Optimizer.Build.Generator.Parser;

/// <summary>
/// Decides, for one model class, which manifest it gets and what is wrong: the class must be a
/// non-static partial class in partial containing types, and its manifest must be readable and
/// describe only tensors of supported element types. A kernel schedule whose calls the referenced
/// runtime cannot bind is dropped with a warning: the runtime then interprets the embedded program.
/// </summary>
internal static class GenerationPlanner
{
    /// <summary>Members the generated part adds; a class with one of these names would hit CS0542.</summary>
    private static readonly string[] GeneratedMemberNames = { "Input", "Output", "Run", "Metadata" };

    public static GenerationResult Plan(
        ModelClass modelClass, EquatableArray<ManifestFile> manifests, EquatableArray<ManifestClaim> claims, EquatableArray<string> kernelCatalog)
    {
        LocationInfo? at = modelClass.AttributeLocation;
        if (!ItemClasses.IsTypeName(modelClass.FullName))
        {
            // Only an item's ClassName can be any text; a declared class always has a valid name.
            return Fail(modelClass, Diagnostic(DiagnosticDescriptors.InvalidItemClassName, at, modelClass.FullName, modelClass.ModelPath ?? string.Empty));
        }

        if (!modelClass.IsPartial)
        {
            return Fail(modelClass, Diagnostic(DiagnosticDescriptors.ClassNotPartial, at, modelClass.FullName));
        }

        ContainingType? notPartial = modelClass.ContainingTypes.FirstOrDefault(t => !t.IsPartial);
        if (notPartial is not null)
        {
            return Fail(modelClass, Diagnostic(DiagnosticDescriptors.ContainingTypeNotPartial, at, modelClass.FullName, notPartial.Name));
        }

        if (modelClass.IsStatic || modelClass.IsRecord)
        {
            return Fail(modelClass, Diagnostic(DiagnosticDescriptors.InvalidModelClass, at, modelClass.FullName, modelClass.IsStatic ? "static" : "a record"));
        }

        if (System.Array.IndexOf(GeneratedMemberNames, modelClass.Name) >= 0)
        {
            return Fail(modelClass, Diagnostic(DiagnosticDescriptors.ClassNameConflicts, at, modelClass.FullName, modelClass.Name));
        }

        if (modelClass.ModelPath is null)
        {
            return Fail(modelClass, Diagnostic(DiagnosticDescriptors.InvalidModelPath, at, modelClass.FullName));
        }

        ManifestFile? file = FindManifest(modelClass, manifests, claims);
        if (file is null)
        {
            // A manifest too broken to say whose it is may be this class's; say so rather than "not found".
            ManifestFile? anonymous = manifests.FirstOrDefault(m => m.Problem == ManifestProblem.Malformed && m.ClassName is null && m.ModelPath is null);
            return anonymous is not null
                ? Fail(modelClass, Diagnostic(DiagnosticDescriptors.MalformedManifest, at, anonymous.Path, modelClass.ModelPath, anonymous.ProblemDetail ?? string.Empty))
                : Fail(modelClass, Diagnostic(DiagnosticDescriptors.ModelNotFound, at, modelClass.ModelPath, modelClass.FullName));
        }

        switch (file.Problem)
        {
            case ManifestProblem.Malformed:
                return Fail(modelClass, Diagnostic(DiagnosticDescriptors.MalformedManifest, at, file.Path, modelClass.ModelPath, file.ProblemDetail ?? string.Empty));
            case ManifestProblem.UnsupportedFormatVersion:
                return Fail(modelClass, Diagnostic(
                    DiagnosticDescriptors.UnsupportedFormatVersion, at, file.Path, modelClass.ModelPath, Invariant(file.FormatVersion ?? 0), Invariant(ManifestParser.SupportedFormatVersion)));
        }

        ModelManifest manifest = file.Manifest!;
        var unsupported = new List<DiagnosticInfo>();
        AddUnsupported(unsupported, manifest, manifest.Inputs, "input", at);
        AddUnsupported(unsupported, manifest, manifest.Outputs, "output", at);
        if (unsupported.Count > 0)
        {
            return new GenerationResult(modelClass, null, unsupported.ToEquatableArray());
        }

        var warnings = new List<DiagnosticInfo>();
        manifest = WithBindableSchedules(manifest, kernelCatalog, problem => warnings.Add(Diagnostic(DiagnosticDescriptors.UnboundKernelSchedule, at, file.Path, modelClass.ModelPath, problem)));
        return new GenerationResult(modelClass, manifest, warnings.ToEquatableArray());
    }

    /// <summary>The manifest without the schedules (primary or a variant's) that call a kernel the runtime lacks.</summary>
    private static ModelManifest WithBindableSchedules(ModelManifest manifest, EquatableArray<string> catalog, System.Action<string> report)
    {
        KernelSchedule? Bindable(KernelSchedule? schedule, string what)
        {
            if (schedule is null)
            {
                return null;
            }

            for (int s = 0; s < schedule.Steps.Count; s++)
            {
                ScheduleStep step = schedule.Steps[s];
                if (!KernelCatalog.Binds(step, catalog))
                {
                    report($"{what} step {Invariant(s)} calls {step.Kernel} with operands {step.OperandTypes}, {Invariant(step.Ints.Count)} integer and {Invariant(step.FloatBits.Count)} float arguments");
                    return null;
                }
            }

            return schedule;
        }

        return manifest with
        {
            Schedule = Bindable(manifest.Schedule, "the schedule's"),
            Variants = manifest.Variants.Select(v => v with { Schedule = Bindable(v.Schedule, $"variant {v.Name}'s") }).ToEquatableArray(),
        };
    }

    /// <summary>
    /// The manifest whose className is the class's full name, else the one the build made for it too
    /// (<see cref="ManifestClaim"/>), else a bare manifest with the same model path.
    /// </summary>
    private static ManifestFile? FindManifest(ModelClass modelClass, EquatableArray<ManifestFile> manifests, EquatableArray<ManifestClaim> claims)
    {
        string wantedPath = NormalizePath(modelClass.ModelPath!);
        string? sharedPath = claims.FirstOrDefault(c => c.ClassName == modelClass.FullName)?.ManifestPath;
        return manifests.FirstOrDefault(m => m.ClassName == modelClass.FullName)
            ?? manifests.FirstOrDefault(m => sharedPath is not null && m.Path == sharedPath)
            ?? manifests.FirstOrDefault(m => m.ClassName is { Length: 0 } && m.ModelPath is not null && NormalizePath(m.ModelPath) == wantedPath);
    }

    /// <summary>Compares paths with <c>/</c> separators, case-sensitively, ignoring leading <c>./</c>.</summary>
    internal static string NormalizePath(string path)
    {
        string normalized = path.Replace('\\', '/');
        while (normalized.StartsWith("./", System.StringComparison.Ordinal))
        {
            normalized = normalized.Substring(2);
        }

        return normalized;
    }

    private static void AddUnsupported(List<DiagnosticInfo> diagnostics, ModelManifest manifest, EquatableArray<TensorSignature> values, string role, LocationInfo? at)
    {
        foreach (TensorSignature value in values)
        {
            if (ElementTypes.ToCSharp(value.ElementType) is null)
            {
                string what = value.ElementType == "unsupported"
                    ? $"a {value.Kind ?? "non-tensor value"}"
                    : $"a tensor of {value.ElementType}";
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnsupportedValue, at, manifest.ModelPath, role, value.Name, what));
            }
        }
    }

    private static GenerationResult Fail(ModelClass modelClass, DiagnosticInfo diagnostic) =>
        new(modelClass, null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));

    private static DiagnosticInfo Diagnostic(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? at, params string[] args) =>
        new(descriptor.Id, at, new EquatableArray<string>(args));

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
