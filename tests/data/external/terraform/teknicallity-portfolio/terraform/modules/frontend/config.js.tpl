window.AppConfig = {
  apiUrl: "${api_url}"
};