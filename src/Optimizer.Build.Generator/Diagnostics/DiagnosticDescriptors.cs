using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports (OPT2001–OPT2099). Each message says what to do;
/// docs/diagnostics.md explains each one (tests/Optimizer.Diagnostics.Tests keeps the two in step).
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Optimizer.Build.Generator";

    public static readonly DiagnosticDescriptor ModelNotFound = new(
        "OPT2001",
        "No optimized model for this class",
        "No optimized model for '{0}' (class '{1}'): the build step that optimizes it did not run or wrote no manifest; check the OnnxModel path, then build the project",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ClassNotPartial = new(
        "OPT2002",
        "Model class must be partial",
        "Class '{0}' has [OnnxModel] but is not partial; declare it 'partial' so the generated part can be added",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
        "OPT2003",
        "Type containing a model class must be partial",
        "Class '{0}' is nested in '{1}', which is not partial; declare every containing type 'partial'",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedValue = new(
        "OPT2004",
        "Model input or output has no typed form",
        "Model '{0}' {1} '{2}' is {3}, which generated classes cannot pass; export the model with tensor inputs and outputs of a supported element type (float32, float64, float16, int8–int64, uint8–uint64, bool or string)",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MalformedManifest = new(
        "OPT2005",
        "Model manifest is malformed",
        "The manifest '{0}' for '{1}' cannot be read ({2}); delete the project's obj/ folder and build again, and report a bug if it persists",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedFormatVersion = new(
        "OPT2006",
        "Model manifest has an unsupported format version",
        "The manifest '{0}' for '{1}' has formatVersion {2} but this generator reads version {3}; use the same Optimizer.Build package version for the build step and the generator, then build again",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidModelClass = new(
        "OPT2007",
        "Model class cannot derive from the model base",
        "Class '{0}' has [OnnxModel] but is {1}; use a non-static partial class (not a record), since the generated part derives from OnnxModelBase",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidModelPath = new(
        "OPT2008",
        "OnnxModel path must be a constant string",
        "The [OnnxModel] path of class '{0}' is not a non-empty constant string; pass the path of the model relative to the project folder as a string literal or constant",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ClassNameConflicts = new(
        "OPT2009",
        "Model class name conflicts with a generated member",
        "Class '{0}' cannot be named '{1}' because the generated part adds a member of that name; rename the class",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnboundKernelSchedule = new(
        "OPT2010",
        "Model manifest's kernel schedule calls a kernel the runtime lacks",
        "The manifest '{0}' for '{1}' has a kernel schedule the referenced Optimizer.Runtime cannot run ({2}); the class runs the embedded program on the runtime's interpreter instead. Reference the Optimizer.Runtime version that matches Optimizer.Build, delete the project's obj/ folder and build again.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidItemClassName = new(
        "OPT2011",
        "OnnxModel item's ClassName is not a C# type name",
        "The <OnnxModel> item for '{1}' has ClassName '{0}', which is not a C# type name, so no class is generated for it; set ClassName to a name such as MyApp.Models.Digits",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    /// <summary>Every descriptor above; <see cref="ById"/> looks in it.</summary>
    public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(
        ModelNotFound, ClassNotPartial, ContainingTypeNotPartial, UnsupportedValue, MalformedManifest,
        UnsupportedFormatVersion, InvalidModelClass, InvalidModelPath, ClassNameConflicts, UnboundKernelSchedule,
        InvalidItemClassName);

    public static DiagnosticDescriptor ById(string id) =>
        All.FirstOrDefault(descriptor => descriptor.Id == id)
        ?? throw new System.ArgumentOutOfRangeException(nameof(id), id, "Unknown diagnostic id.");

    /// <summary>
    /// <paramref name="descriptor"/> with a help link to its entry in docs/diagnostics.md, whose
    /// location the build passes as <see cref="HelpLink.Property"/>; as is when it passes none.
    /// </summary>
    public static DiagnosticDescriptor WithHelpLink(DiagnosticDescriptor descriptor, string? diagnosticsList) =>
        HelpLink.For(diagnosticsList, descriptor.Id) is { } link
            ? new DiagnosticDescriptor(
                descriptor.Id, descriptor.Title, descriptor.MessageFormat, descriptor.Category, descriptor.DefaultSeverity,
                descriptor.IsEnabledByDefault, descriptor.Description, link, descriptor.CustomTags.ToArray())
            : descriptor;
}
