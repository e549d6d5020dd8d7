-- The setup the README gives for Neovim's built-in client (0.7 and later), as the tests run
-- it: the file name as a file type of its own, and a client on `metalint server` for it.
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  pattern = { "increment.meta", "increment.meta.txt", "Increment.meta" },
  command = "setfiletype metalint",
})

vim.api.nvim_create_autocmd("FileType", {
  pattern = "metalint",
  callback = function(args)
    local client = vim.lsp.start_client({
      name = "metalint",
      cmd = { "metalint", "server" },
      root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ":p:h"),
      settings = { metalint = { service = "product" } },
    })
    if client then
      vim.lsp.buf_attach_client(args.buf, client)
    end
  end,
})
