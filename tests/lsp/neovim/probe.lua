-- Run after init.lua has opened the manifest: waits for the diagnostics Neovim shows to have
-- the codes the test expects, makes the test's edits, and writes what it saw as JSON.
-- METALINT_PROBE holds {"out": path, "stages": [{"codes": [...], "edit": [...] or null,
-- "command": an Ex command or null}, ...]}; an edit is the arguments of nvim_buf_set_text.
local probe = vim.fn.json_decode(os.getenv("METALINT_PROBE"))

local function shown()
  local items = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(items, {
      code = d.code,
      source = d.source,
      severity = d.severity,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
    })
  end
  table.sort(items, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return tostring(a.code) < tostring(b.code)
  end)
  return items
end

local function codes()
  local found = {}
  for _, d in ipairs(shown()) do
    table.insert(found, tostring(d.code))
  end
  table.sort(found)
  return table.concat(found, ",")
end

local seen = {}
for _, stage in ipairs(probe.stages) do
  if stage.edit ~= vim.NIL then
    local e = stage.edit
    vim.api.nvim_buf_set_text(0, e[1], e[2], e[3], e[4], { e[5] })
  end
  if stage.command ~= vim.NIL then
    vim.cmd(stage.command)
  end
  local wanted = table.concat(stage.codes, ",")
  local ok = vim.wait(30000, function()
    return codes() == wanted
  end, 20)
  table.insert(seen, { reached = ok, diagnostics = shown() })
end

local clients = {}
for _, client in pairs(vim.lsp.buf_get_clients(0)) do
  table.insert(clients, client.name)
end
local file = io.open(probe.out, "w")
file:write(vim.fn.json_encode({ stages = seen, clients = clients }))
file:close()
vim.cmd("qa!")
