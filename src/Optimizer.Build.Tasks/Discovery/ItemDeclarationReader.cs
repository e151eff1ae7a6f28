using Microsoft.Build.Framework;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// Turns an &lt;OnnxModel Include="..." Quantize="DynamicInt8" .../&gt; item into a declaration.
/// Metadata names and values are the attributes' property names and enum member names.
/// </summary>
internal static class ItemDeclarationReader
{
    public const string ClassNameMetadata = "ClassName";

    /// <returns>The declaration, or null when the item had errors (already added to <paramref name="diagnostics"/>).</returns>
    public static ModelDeclaration? Read(
        ITaskItem item, string projectDirectory, string projectFile, ProjectItemLocator locator, ICollection<BuildDiagnostic> diagnostics)
    {
        var definingFile = item.GetMetadata("DefiningProjectFullPath");
        var location = locator.Locate(string.IsNullOrEmpty(definingFile) ? projectFile : definingFile, item.ItemSpec);
        var className = item.GetMetadata(ClassNameMetadata).Trim();
        var declaration = new ModelDeclaration(DeclarationOrigin.Item, location)
        {
            ModelPath = ModelPaths.Normalize(item.ItemSpec, projectDirectory),
            ClassName = className.Length > 0 ? className : null,
        };

        var ok = true;
        var owner = $"<OnnxModel Include=\"{item.ItemSpec}\">";
        // Passes in the catalog's order (prune before quantize), as an attribute list would usually be written.
        foreach (var group in AttributeCatalog.ItemMetadata.GroupBy(m => m.Pass).OrderBy(g => IndexOf(g.Key)))
        {
            var options = new Dictionary<string, string>();
            foreach (var (metadata, _, option) in group)
            {
                var text = item.GetMetadata(metadata);
                if (string.IsNullOrWhiteSpace(text))
                    continue;
                var value = OptionValue.FromMetadata(option, text);
                if (value.IsValid)
                {
                    options[option.Name] = value.Value!;
                }
                else
                {
                    diagnostics.Add(new BuildDiagnostic(value.ErrorCode!, $"{owner}: {value.Error}", location));
                    ok = false;
                }
            }

            if (options.Count == 0)
                continue;

            var key = AttributeCatalog.KeyMetadataFor(group.Key)!;
            if (!group.Key.ItemKeys.Any(k => options.ContainsKey(k.Name) || !string.IsNullOrWhiteSpace(item.GetMetadata(k.ItemMetadata!))))
            {
                var given = string.Join(", ", group.Where(m => !string.IsNullOrWhiteSpace(item.GetMetadata(m.Metadata))).Select(m => m.Metadata));
                diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.OptionWithoutPass,
                    $"{owner} sets {given} but not {key}, so no {group.Key.Name} pass is requested. Add {key}=\"...\" or remove {given}.",
                    location));
                ok = false;
                continue;
            }

            if (group.Key.ModeRefusal(options) is { } refusal)
            {
                diagnostics.Add(new BuildDiagnostic(DiagnosticCodes.InvalidValue, $"{owner}: {refusal}", location));
                ok = false;
                continue;
            }

            declaration.Passes.Add(new PassDeclaration(group.Key.Name, options, location));
        }

        return ok ? declaration : null;
    }

    private static int IndexOf(PassDescriptor pass)
    {
        for (var i = 0; i < AttributeCatalog.Passes.Count; i++)
        {
            if (AttributeCatalog.Passes[i] == pass)
                return i;
        }

        return int.MaxValue;
    }
}
