// Draws an entity's neighbourhood with the vendored vis-network; the table beside it
// lists the same entities, so the page works without this script too.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("graph");
  const source = document.getElementById("graph-data");
  if (!box || !source || typeof vis === "undefined") return;
  const data = JSON.parse(source.textContent);
  const network = new vis.Network(box,
    {nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)},
    {nodes: {shape: "dot", size: 12, font: {size: 13}},
     groups: {centre: {color: {background: "#a61b1b", border: "#5c0f0f"}, size: 20},
              d1: {color: {background: "#0b5394", border: "#073763"}},
              d2: {color: {background: "#9fc5e8", border: "#0b5394"}}},
     edges: {scaling: {min: 1, max: 6}, color: {color: "#777", opacity: 0.7}},
     physics: {stabilization: {iterations: 200}},
     interaction: {hover: true, tooltipDelay: 100, keyboard: false}});
  network.on("selectNode", (event) => {
    const node = data.nodes.find((n) => n.id === event.nodes[0]);
    if (node && node.url) window.location.href = node.url;
  });
  network.once("stabilizationIterationsDone", () => { box.dataset.ready = "yes"; });
});
