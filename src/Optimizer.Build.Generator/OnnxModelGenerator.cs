using System;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Optimizer.Build.Generator.Diagnostics;
using Optimizer.Build.Generator.Emitter;
using Optimizer.Build.Generator.Model;
using Optimizer.Build.Generator.Parser;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Generator;

/// <summary>
/// Completes every <c>[OnnxModel]</c> partial class with a typed inference API, from the manifest
/// the build step wrote for its model (an AdditionalFile ending in <c>.model.json</c>), and writes
/// the class an <c>&lt;OnnxModel ClassName="..."&gt;</c> item names (<see cref="ItemClasses"/>). Reads
/// nothing else; every step's output is a value-equatable record so the IDE re-runs only what changed.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class OnnxModelGenerator : IIncrementalGenerator
{
    /// <summary>The attribute that marks a model class.</summary>
    public const string OnnxModelAttributeName = "Optimizer.Runtime.OnnxModelAttribute";

    /// <summary>AdditionalFiles with this suffix are manifests.</summary>
    public static string ManifestSuffix => Optimizer.Engine.Output.OutputNames.Manifest.Suffix;

    private static readonly string Version =
        typeof(OnnxModelGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OnnxModelGenerator).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ModelClass> modelClasses = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                OnnxModelAttributeName,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                ModelClassParser.Parse)
            .WithTrackingName(TrackingNames.ModelClasses);

        IncrementalValueProvider<EquatableArray<ManifestFile>> manifests = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(ManifestSuffix, StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => ManifestParser.Parse(
                pair.Left.Path,
                pair.Left.GetText(cancellationToken)?.ToString(),
                pair.Right.GetOptions(pair.Left).TryGetValue(ModelFileMetadata.Key, out string? modelFile) && modelFile.Length > 0 ? modelFile : null))
            .WithTrackingName(TrackingNames.Manifests)
            .Collect()
            .Select(static (files, _) => files.OrderBy(f => f.Path, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.AllManifests);

        // The classes the build made each manifest for (ClassName items, a model declared twice with the same passes).
        IncrementalValueProvider<EquatableArray<ManifestClaim>> claims = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(ManifestSuffix, StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .SelectMany(static (pair, _) => ManifestClaim.Read(
                pair.Left.Path, pair.Right.GetOptions(pair.Left).TryGetValue(ManifestClaim.MetadataKey, out string? names) ? names : null))
            .Collect()
            .Select(static (all, _) => all.OrderBy(a => a.ClassName, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.Claims);

        IncrementalValueProvider<EquatableArray<string>> kernelCatalog = context.CompilationProvider
            .Select(static (compilation, _) => KernelCatalog.From(compilation))
            .WithTrackingName(TrackingNames.KernelCatalog);

        // Claimed classes with no [OnnxModel] class (<OnnxModel ClassName="..."> items): the generator writes the whole class.
        IncrementalValuesProvider<ModelClass> itemClasses = manifests
            .Combine(claims)
            .Combine(modelClasses.Select(static (c, _) => c.FullName).Collect())
            .SelectMany(static (pair, _) => ItemClasses.Undeclared(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(TrackingNames.ItemClasses);

        // docs/diagnostics.md in the package (the build's OptimizerDiagnosticsHelp): each diagnostic links to its entry.
        IncrementalValueProvider<string?> diagnosticsList = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property." + HelpLink.Property, out string? list) ? list : null);

        Generate(context, modelClasses, manifests, claims, kernelCatalog, diagnosticsList, TrackingNames.Results);
        Generate(context, itemClasses, manifests, claims, kernelCatalog, diagnosticsList, TrackingNames.ItemResults);
    }

    private static void Generate(
        IncrementalGeneratorInitializationContext context,
        IncrementalValuesProvider<ModelClass> classes,
        IncrementalValueProvider<EquatableArray<ManifestFile>> manifests,
        IncrementalValueProvider<EquatableArray<ManifestClaim>> claims,
        IncrementalValueProvider<EquatableArray<string>> kernelCatalog,
        IncrementalValueProvider<string?> diagnosticsList,
        string trackingName)
    {
        IncrementalValuesProvider<GenerationResult> results = classes
            .Combine(manifests)
            .Combine(claims)
            .Combine(kernelCatalog)
            .Select(static (pair, _) => GenerationPlanner.Plan(pair.Left.Left.Left, pair.Left.Left.Right, pair.Left.Right, pair.Right))
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(results.Combine(diagnosticsList), static (output, pair) =>
        {
            (GenerationResult result, string? list) = pair;
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.WithHelpLink(DiagnosticDescriptors.ById(diagnostic.Id), list), diagnostic.Location?.ToLocation(),
                    // Arguments hold manifest text; one line each, so a name cannot forge another log line.
                    diagnostic.MessageArgs.Select(arg => (object)SourceText.OneLine(arg)).ToArray()));
            }

            if (result.Manifest is not null)
            {
                output.AddSource(ModelClassEmitter.HintName(result.Class), ModelClassEmitter.Emit(result.Class, result.Manifest, Version));
            }
        });
    }
}
