using System.Xml;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// Finds the line of an &lt;OnnxModel Include="..."&gt; element so item diagnostics point at it.
/// MSBuild gives tasks an item's defining file (DefiningProjectFullPath) but not its line, so the
/// file is read once with line information.
/// </summary>
internal sealed class ProjectItemLocator
{
    private readonly Dictionary<string, List<(string Include, int Line, int Column)>> _elementsByFile = new(StringComparer.OrdinalIgnoreCase);

    public SourceLocation Locate(string projectFile, string itemSpec)
    {
        var elements = ElementsIn(projectFile);
        var spec = itemSpec.Replace('\\', '/');
        foreach (var element in elements)
        {
            var parts = element.Include.Split(';').Select(p => p.Trim().Replace('\\', '/'));
            if (parts.Any(p => ModelPaths.Equal(p, spec)))
                return new SourceLocation(projectFile, element.Line, element.Column);
        }

        // A glob or a property-built Include: point at the first <OnnxModel> element, if any.
        return elements.Count > 0
            ? new SourceLocation(projectFile, elements[0].Line, elements[0].Column)
            : SourceLocation.FileOnly(projectFile);
    }

    private List<(string Include, int Line, int Column)> ElementsIn(string projectFile)
    {
        if (_elementsByFile.TryGetValue(projectFile, out var cached))
            return cached;

        var elements = new List<(string, int, int)>();
        try
        {
            using var reader = XmlReader.Create(projectFile, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var lineInfo = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == AttributeCatalog.OnnxModel)
                {
                    var line = lineInfo.LineNumber;
                    var column = lineInfo.LinePosition - 1; // the name's position; MSBuild points at the "<"
                    var include = reader.GetAttribute("Include");
                    if (include is not null)
                        elements.Add((include, line, column));
                }
            }
        }
        catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
        {
            // Only the line number is lost; the diagnostic still names the file.
        }

        _elementsByFile[projectFile] = elements;
        return elements;
    }
}
